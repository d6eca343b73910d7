"""The Assistant: one entry point (``handle``) for every front end; implements protocol.AssistantAPI.

A turn: redact the user's text (privacy) -> parse -> route to a flow (retrieve, rank, orders, policies)
-> write the reply (generator or template) -> append the turn's events (store). Failures never raise
to the user: the Turn carries ``error`` and an apology. Session state lives only as events; an
in-memory cache is rebuilt from the event log on a miss (e.g. after a restart).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from assistant.db import make_engine
from assistant.dialogue.context import FlowContext
from assistant.dialogue.fallbacks import RelevanceRanker, notes_reply
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.router import route
from assistant.dialogue.state import DialogueState, apply, rebuild
from assistant.events import BotUttered, CartAdded, EventLog, SessionStarted, UserUttered
from assistant.orders.repository import OrderRepository
from assistant.privacy import Redaction, forget_user, redact
from assistant.protocol import FEEDBACK_KINDS, CartLine, DemoUser
from assistant.records import Action, Parse, ReplyFacts, Turn

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again, or ask for a human agent."
BAD_SESSION = "I lost track of this conversation. Please start a new one."
OTHER_SESSION = "This conversation belongs to another account. Please start a new conversation."


class AssistantError(ValueError):
    """Bad input to the assistant API (unknown feedback kind, ...)."""


@dataclass(frozen=True)
class _Prepared:
    state: DialogueState
    parse: Parse
    redaction: Redaction
    result: FlowResult
    facts: ReplyFacts
    clock: Stopwatch


def _template(facts: ReplyFacts) -> str:
    try:
        from assistant.writer.template import template_reply
    except ImportError:  # the writer package is optional at run time
        return notes_reply(facts)
    return template_reply(facts)


class Assistant:
    def __init__(self, settings, *, parser, index, orders: OrderRepository, events: EventLog, policies,
                 ranker=None, writer=None, interactions=None, type_to_category=None, catalog_brands=None) -> None:
        self.settings = settings
        self.parser, self.index, self.orders, self.events = parser, index, orders, events
        self.writer, self.interactions = writer, interactions
        self.ranker = ranker or RelevanceRanker()
        types, brands = _catalog_vocabulary(index, type_to_category, catalog_brands)
        self.ctx = FlowContext(index=index, ranker=self.ranker, orders=orders, policies=policies,
                               type_to_category=types, catalog_brands=brands)
        self._states: dict[str, DialogueState] = {}
        self._owners: dict[str, str] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._guard = threading.Lock()

    @classmethod
    def from_settings(cls, settings, *, generate: bool = True) -> "Assistant":
        from assistant.wiring import build_components

        return cls(settings, **build_components(settings, generate=generate))

    # sessions -----------------------------------------------------------------------------------
    def new_session(self, user_id: str) -> str:
        user_id = _user(user_id)
        session_id = uuid.uuid4().hex
        self.events.append(session_id, user_id, SessionStarted())
        self._owners[session_id] = user_id or "anonymous"
        return session_id

    def _owner(self, session_id: str) -> str | None:
        owner = self._owners.get(session_id)
        if owner is None:
            owner = self.events.session_owner(session_id)
            if owner is not None:
                self._owners[session_id] = owner
        return owner

    def _lock(self, session_id: str) -> threading.Lock:
        with self._guard:
            return self._locks.setdefault(session_id, threading.Lock())

    def forget_cached(self, session_id: str) -> None:
        """Drop the cached state of a session: another worker may have extended its event log (ui/workers.py)."""
        self._states.pop(session_id, None)

    def _state(self, session_id: str, user_id: str) -> DialogueState:
        state = self._states.get(session_id)
        if state is None:
            state = rebuild(session_id, user_id, [e.event for e in self.events.events(session_id)])
        return state

    def _owned_by_other(self, session_id: str, user_id: str) -> bool:
        owner = self._owner(session_id)
        return owner is not None and owner != (user_id or "anonymous")

    def cart(self, session_id: str) -> list[CartLine]:
        owner = self._owner(session_id) or "anonymous"
        return list(self._state(session_id, owner).cart)

    def demo_users(self) -> list[DemoUser]:
        return [DemoUser(c.user_id, c.name, c.description) for c in self.orders.customers()]

    # turns --------------------------------------------------------------------------------------
    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        user_id = _user(user_id)
        with self._lock(session_id):
            prepared = self._prepare_or_error(session_id, user_id, text)
            if isinstance(prepared, Turn):
                return prepared
            try:
                with prepared.clock.stage("write"):
                    reply, guard_passed, fallback = self._write(prepared.facts, generate)
                return self._finish(session_id, user_id, prepared, reply, guard_passed, fallback)
            except Exception as exc:  # noqa: BLE001 - the user gets an apology, the log the traceback
                return self._error_turn(session_id, user_id, prepared.redaction.text, exc, prepared.parse)

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        user_id = _user(user_id)
        with self._lock(session_id):
            prepared = self._prepare_or_error(session_id, user_id, text)
            if isinstance(prepared, Turn):
                yield prepared.reply
                yield prepared
                return
            try:
                reply, guard_passed, fallback = yield from self._stream_write(prepared)
                yield self._finish(session_id, user_id, prepared, reply, guard_passed, fallback)
            except Exception as exc:  # noqa: BLE001
                yield self._error_turn(session_id, user_id, prepared.redaction.text, exc, prepared.parse)

    def _prepare_or_error(self, session_id: str, user_id: str, text) -> _Prepared | Turn:
        redaction = redact(text if isinstance(text, str) else "")
        if not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
            return Turn(str(session_id)[:64], user_id, redaction.text, BAD_SESSION, Action.REFUSE,
                        Parse(redaction.text, "out_of_scope", 0.0), error="bad session id")
        if self._owned_by_other(session_id, user_id):
            return Turn(session_id, user_id, redaction.text, OTHER_SESSION, Action.REFUSE,
                        Parse(redaction.text, "out_of_scope", 0.0), error="session belongs to another user")
        try:
            return self._prepare(session_id, user_id, redaction)
        except Exception as exc:  # noqa: BLE001
            return self._error_turn(session_id, user_id, redaction.text, exc, None)

    def _prepare(self, session_id: str, user_id: str, redaction: Redaction) -> _Prepared:
        clock = Stopwatch()
        state = self._state(session_id, user_id)
        with clock.stage("parse"):
            parse = self.parser.parse(redaction.text)
        result = route(self.ctx, state, parse, redaction, clock, lambda: self._transcript(session_id, redaction.text),
                       self.settings.nlu_confidence_threshold)
        facts = ReplyFacts(intent=result.intent or parse.intent, action=result.action, user_text=redaction.text,
                           products=tuple(c.product for c in result.products), orders=result.orders,
                           policies=result.policies, notes=result.notes, question=result.question, answer=result.answer)
        return _Prepared(state, parse, redaction, result, facts, clock)

    def _transcript(self, session_id: str, current: str) -> str:
        past = self.events.transcript(session_id)
        return f"{past}\nuser: {current}".strip()

    def _write(self, facts: ReplyFacts, generate: bool | None) -> tuple[str, bool, bool]:
        use_model = self.settings.generate if generate is None else generate
        if use_model and self.writer is not None:
            written = self.writer.write(facts)
            return written.text, written.guard_passed, written.fallback
        return _template(facts), True, True

    def _stream_write(self, prepared: _Prepared):
        """Yields reply tokens; returns (reply, guard_passed, fallback)."""
        with prepared.clock.stage("write"):
            if self.writer is None or not self.settings.generate:
                reply = _template(prepared.facts)
                yield reply
                return reply, True, True
            final = None
            for item in self.writer.stream(prepared.facts):
                if isinstance(item, str):
                    yield item
                else:
                    final = item
            if final is None:
                reply = _template(prepared.facts)
                return reply, True, True
            return final.text, final.guard_passed, final.fallback

    def _finish(self, session_id: str, user_id: str, p: _Prepared, reply: str, guard_passed: bool, fallback: bool) -> Turn:
        events = (UserUttered(p.redaction.text, p.parse.intent, round(p.parse.confidence, 4)), *p.result.events,
                  BotUttered(reply, p.result.action.value))
        turn = Turn(session_id=session_id, user_id=user_id, text=p.redaction.text, reply=reply, action=p.result.action,
                    parse=p.parse, products=p.result.products, timings=p.clock.timings(), guard_passed=guard_passed,
                    fallback=fallback, data=p.result.data, facts=p.facts)
        with p.clock.stage("store"):
            self._store(session_id, user_id, events, turn)
            state = p.state
            for e in events:
                state = apply(state, e)
            self._states[session_id] = state
        return replace(turn, timings=p.clock.timings())

    def _store(self, session_id: str, user_id: str, events: tuple, turn: Turn) -> None:
        """Append the turn's events (plus the analytics measurement, when available) in one transaction."""
        if not self._owner(session_id):
            events = (SessionStarted(), *events)
        measured = _measure(turn)
        self.events.append(session_id, user_id, *events, *((measured,) if measured is not None else ()))
        self._owners[session_id] = user_id or "anonymous"

    def _error_turn(self, session_id: str, user_id: str, text: str, exc: Exception, parse: Parse | None) -> Turn:
        log.exception("turn failed in session %s", session_id, exc_info=exc)
        turn = Turn(session_id, user_id, text, APOLOGY, Action.CLARIFY, parse or Parse(text, "out_of_scope", 0.0),
                    fallback=True, error=f"{type(exc).__name__}: {exc}")
        try:  # best effort: the failed turn is kept in the (redacted) transcript and analytics
            self._store(session_id, user_id, (UserUttered(text, turn.parse.intent), BotUttered(APOLOGY, "clarify")), turn)
            self._states.pop(session_id, None)
        except Exception:  # noqa: BLE001 - the store itself may be what failed
            log.exception("could not record the failed turn")
        return turn

    # feedback and privacy ---------------------------------------------------------------------------
    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        user_id = _user(user_id)
        if kind not in FEEDBACK_KINDS:
            raise AssistantError(f"unknown feedback kind {kind!r}; expected one of {', '.join(FEEDBACK_KINDS)}")
        products = self.index.get([product_id])
        if not products:
            raise AssistantError(f"unknown product id {product_id!r}")
        self.ranker.feedback(user_id or "anonymous", product_id, kind, session_id=session_id)
        if kind == "add_to_cart":
            with self._lock(session_id):
                p = products[0]
                event = CartAdded(p.id, p.title, p.price, 1)
                state = self._state(session_id, user_id)
                self.events.append(session_id, user_id, event)
                self._states[session_id] = apply(state, event)

    def forget(self, user_id: str):
        """Delete the user's interactions, sessions/events and transcripts (see ``privacy.forget_user``)."""
        for sid in self.events.sessions(user_id):
            self._states.pop(sid, None)
            self._owners.pop(sid, None)
        report = forget_user(self.orders.engine, user_id)
        forget_profile = getattr(self.ranker, "forget", None)
        if callable(forget_profile):  # drop the in-memory profile too
            forget_profile(user_id)
        return report


def _user(user_id) -> str:
    """Signed-in id, or "anonymous" for visitors ("" and None included)."""
    return (user_id if isinstance(user_id, str) else "").strip() or "anonymous"


def _measure(turn: Turn):
    try:
        from assistant.analytics.turn_log import measure_turn
    except ImportError:
        return None
    return measure_turn(turn)


def _catalog_vocabulary(index, type_to_category, catalog_brands):
    """Known product types (vocabulary + catalog) and the brands the catalog carries (lowercase)."""
    from retrieval.catalog.vocab import TYPE_TO_CATEGORY

    types = dict(TYPE_TO_CATEGORY if type_to_category is None else type_to_category)
    if catalog_brands is not None:
        return types, frozenset(b.lower() for b in catalog_brands)
    brands = set()
    for p in index.all_products():
        brands.add(p.brand.lower())
        types.setdefault(p.product_type.lower(), p.category)
    return types, frozenset(brands)


__all__ = ["Assistant", "AssistantError", "make_engine"]
