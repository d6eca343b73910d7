"""Widget sessions bound to the site and the user that created them; a session id is useless to anyone else."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from assistant.users import UserRef


@dataclass(frozen=True)
class SessionBinding:
    session_id: str
    site_key: str
    user_id: str  # "anonymous:<visitor>" or the signed-in customer id

    @property
    def anonymous(self) -> bool:
        return UserRef.of(self.user_id).anonymous


class SessionRegistry:
    """In-memory bounded map session id -> binding (oldest forgotten first); thread-safe."""

    def __init__(self, max_sessions: int = 100_000):
        self.max_sessions = max_sessions
        self._items: OrderedDict[str, SessionBinding] = OrderedDict()
        self._lock = threading.Lock()

    def add(self, binding: SessionBinding) -> None:
        with self._lock:
            self._items[binding.session_id] = binding
            while len(self._items) > self.max_sessions:
                self._items.popitem(last=False)

    def get(self, session_id: str) -> SessionBinding | None:
        with self._lock:
            binding = self._items.get(session_id)
            if binding is not None:
                self._items.move_to_end(session_id)
            return binding

    def forget(self, user_id: str) -> int:
        """Drop every binding of ``user_id`` (privacy deletion); returns how many."""
        with self._lock:
            gone = [sid for sid, b in self._items.items() if b.user_id == user_id]
            for sid in gone:
                del self._items[sid]
        return len(gone)

    def __len__(self) -> int:
        return len(self._items)
