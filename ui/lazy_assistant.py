"""An AssistantAPI that loads the real Assistant in a background thread, so `shopbot serve` answers at once.

Loading every model (the NLU encoder, the embedder, Chroma, the reply writer) takes seconds to minutes on a
busy machine; the server must not wait for it before it answers /v1/health, the static files or the chat
page. ``BackgroundAssistant.start()`` begins the load; every AssistantAPI call waits until it is done
(the first chat request of a fresh server may therefore take longer) and then delegates. When the load
fails, calls raise ``AssistantUnavailable`` and ``on_error`` is told (``shopbot serve`` stops the server
and reports the error as a usage error).

The demo customer picker of the chat page is built when the page is built: ``demo_users`` answers from
the order store directly while the models are still loading (``quick_demo_users``; `shopbot build` seeds the
demo customers, so they are there before the first start).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator

from assistant.orders.repository import OrderRepository
from assistant.protocol import AssistantAPI, CartLine, DemoUser
from assistant.records import ForgetReport, Turn

log = logging.getLogger(__name__)


class AssistantUnavailable(RuntimeError):
    """The background load of the assistant failed (the message says why)."""


class BackgroundAssistant:
    def __init__(self, load: Callable[[], AssistantAPI], *, on_error: Callable[[BaseException], None] | None = None,
                 early_demo_users: Callable[[], list[DemoUser]] | None = None) -> None:
        self._load, self._on_error, self._early_demo_users = load, on_error, early_demo_users
        self._ready = threading.Event()
        self._assistant: AssistantAPI | None = None
        self.error: BaseException | None = None
        self.load_seconds: float | None = None
        self._thread = threading.Thread(target=self._run, name="assistant-load", daemon=True)

    def start(self) -> "BackgroundAssistant":
        self._thread.start()
        return self

    def join(self, timeout: float | None = None) -> None:
        """Wait (at most ``timeout`` s) for the load to end, whether it worked or not."""
        self._ready.wait(timeout)

    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.error is None

    def _run(self) -> None:
        start = time.perf_counter()
        try:
            self._assistant = self._load()
            self.load_seconds = time.perf_counter() - start
            log.info("assistant loaded in %.1f s", self.load_seconds)
        except BaseException as exc:  # noqa: BLE001 - reported to the callers and to on_error
            self.error = exc
            log.error("the assistant could not be loaded: %s", exc)
            if self._on_error is not None:
                self._on_error(exc)
        finally:
            self._ready.set()

    def wait(self, timeout: float | None = None) -> AssistantAPI:
        """The loaded assistant (blocks while it loads); AssistantUnavailable if loading failed or timed out."""
        if not self._ready.wait(timeout):
            raise AssistantUnavailable("the assistant is still loading")
        if self.error is not None or self._assistant is None:
            raise AssistantUnavailable(f"the assistant could not be loaded: {self.error}")
        return self._assistant

    # AssistantAPI ---------------------------------------------------------------------------------
    def new_session(self, user_id: str) -> str:
        return self.wait().new_session(user_id)

    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        return self.wait().handle(session_id, user_id, text, generate=generate)

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        yield from self.wait().stream(session_id, user_id, text)

    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        self.wait().feedback(session_id, user_id, product_id, kind)

    def cart(self, session_id: str) -> list[CartLine]:
        return self.wait().cart(session_id)

    def forget_cached(self, session_id: str) -> None:
        if self._ready.is_set() and self._assistant is not None:  # nothing is cached before the load
            self._assistant.forget_cached(session_id)

    def demo_users(self) -> list[DemoUser]:
        if not self._ready.is_set() and self._early_demo_users is not None:
            return self._early_demo_users()  # never hold the chat page back for the models
        return self.wait().demo_users()

    def forget(self, user_id: str) -> ForgetReport:
        return self.wait().forget(user_id)


def quick_demo_users(orders: OrderRepository) -> Callable[[], list[DemoUser]]:
    """Demo customers read from the order store without loading any model ([] when it has none yet)."""
    def read() -> list[DemoUser]:
        try:
            return [DemoUser(c.user_id, c.name, c.description) for c in orders.customers()]
        except Exception as exc:  # noqa: BLE001 - the picker then waits for the full load instead
            log.warning("could not read the demo customers early: %s", type(exc).__name__)
            return []
    return read
