"""Per-session state, owner and lock, bounded: the one place the Assistant keeps anything about a session.

A session *is* its event log (assistant/events.py); what a store keeps in memory is only a cache of it:

* ``LocalSessionStore`` (one process, the SQLite default): a bounded LRU of (owner, dialogue state) and a
  process-local lock per session that exists only while a turn holds or waits for it. An evicted session
  is rebuilt from its events on the next turn, so a flood of new sessions never breaks a live conversation.
* ``SharedSessionStore`` (several worker processes on PostgreSQL): the lock is ``SessionLocks``
  (assistant/session_lock.py: process-local + a PostgreSQL advisory lock), and the state is rebuilt from the log under that lock on
  every turn, because another worker may have extended it; only owners (which never change) are cached.

Both raise ``SessionLockTimeout`` when a session stays busy longer than the locks' timeout.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass

from assistant.dialogue.state import DialogueState, rebuild
from assistant.events import EventLog
from assistant.session_lock import SessionLocks


@dataclass
class _Cached:
    owner: str
    state: DialogueState | None = None


class LocalSessionStore:
    """Sessions of one process (see the module doc)."""

    def __init__(self, events: EventLog, locks: SessionLocks, *, max_cached: int = 10_000) -> None:
        if max_cached < 1:
            raise ValueError("max_cached_sessions must be at least 1")
        self.events, self.locks, self.max_cached = events, locks, max_cached
        self._cache: OrderedDict[str, _Cached] = OrderedDict()
        self._guard = threading.Lock()

    # locking ------------------------------------------------------------------------------------
    def lock(self, session_id: str):
        """Hold the session's lock for the block (not re-entrant; may be released by another thread);
        on PostgreSQL it also serialises the session's turns across worker processes."""
        return self.locks.hold(session_id)

    def active_locks(self) -> int:
        return self.locks.active()

    # cache --------------------------------------------------------------------------------------
    def _get(self, session_id: str) -> _Cached | None:
        with self._guard:
            cached = self._cache.get(session_id)
            if cached is not None:
                self._cache.move_to_end(session_id)
            return cached

    def _put(self, session_id: str, cached: _Cached) -> None:
        with self._guard:
            self._cache[session_id] = cached
            self._cache.move_to_end(session_id)
            while len(self._cache) > self.max_cached:
                self._cache.popitem(last=False)

    def owner(self, session_id: str) -> str | None:
        """Who started the session (the first event's user), or None for a session that does not exist."""
        cached = self._get(session_id)
        if cached is not None:
            return cached.owner
        owner = self.events.session_owner(session_id)
        if owner is not None:
            self._put(session_id, _Cached(owner))
        return owner

    def state(self, session_id: str, user_id: str) -> DialogueState:
        """The session's dialogue state: cached, or rebuilt from its events. Call under ``lock``."""
        cached = self._get(session_id)
        if cached is not None and cached.state is not None:
            return cached.state
        return self._rebuild(session_id, user_id)

    def _rebuild(self, session_id: str, user_id: str) -> DialogueState:
        return rebuild(session_id, user_id, [e.event for e in self.events.events(session_id)])

    def save(self, session_id: str, owner: str, state: DialogueState | None) -> None:
        """Remember the state after a committed turn (``None``: rebuild from the log next time)."""
        self._put(session_id, _Cached(owner, state))

    def drop(self, session_id: str) -> None:
        with self._guard:
            self._cache.pop(session_id, None)

    def clear(self) -> None:
        """Drop every cached session (each is rebuilt from the event log on its next turn)."""
        with self._guard:
            self._cache.clear()

    def forget_user(self, user_id: str) -> int:
        """Drop every cached session of ``user_id``; returns how many."""
        with self._guard:
            gone = [sid for sid, c in self._cache.items() if c.owner == user_id]
            for sid in gone:
                del self._cache[sid]
        return len(gone)

    def __len__(self) -> int:
        return len(self._cache)


class SharedSessionStore(LocalSessionStore):
    """Sessions shared by several worker processes through PostgreSQL (see the module doc)."""

    def state(self, session_id: str, user_id: str) -> DialogueState:
        return self._rebuild(session_id, user_id)  # another worker may have extended the log

    def save(self, session_id: str, owner: str, state: DialogueState | None) -> None:
        super().save(session_id, owner, None)


SessionStore = LocalSessionStore  # the interface; SharedSessionStore is a drop-in subclass


def session_store_for(events: EventLog, locks: SessionLocks, *, max_cached: int = 10_000) -> LocalSessionStore:
    """PostgreSQL may be shared by several workers: the shared store; anything else: the local one."""
    cls = SharedSessionStore if events.engine.dialect.name == "postgresql" else LocalSessionStore
    return cls(events, locks, max_cached=max_cached)
