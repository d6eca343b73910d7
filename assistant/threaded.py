"""Run a generator in its own thread and hand its items to the caller as they come.

Used for streamed turns: the turn (which takes and releases the session lock) runs to the end in its own
thread whatever the consumer does, so a consumer may hop threads between items (Starlette does) or stop
early and the turn is still finished and stored. The queue is unbounded: the producer never blocks while
it holds the lock. An exception in the producer is raised in the consumer.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import TypeVar

T = TypeVar("T")
_END = object()


class _Failed:
    def __init__(self, exc: BaseException) -> None:
        self.exc = exc


def iterate_in_thread(produce: Callable[[], Iterator[T]], name: str) -> Iterator[T]:
    parts: queue.Queue = queue.Queue()

    def run() -> None:
        try:
            for part in produce():
                parts.put(part)
        except BaseException as exc:  # noqa: BLE001 - re-raised in the consumer
            parts.put(_Failed(exc))
        finally:
            parts.put(_END)

    threading.Thread(target=run, name=name, daemon=True).start()
    while (part := parts.get()) is not _END:
        if isinstance(part, _Failed):
            raise part.exc
        yield part
