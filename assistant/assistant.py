"""The Assistant: one entry point (``handle``/``stream``) for every front end; implements protocol.AssistantAPI.

A turn, under the session's lock (assistant/sessions.py): redact the user's text (privacy) -> parse ->
route to a flow (retrieve, rank, orders, policies), which only *decides*: it returns its events and the
effects it intends (order cancel/return, handoff ticket, feedback, shown-item logs; assistant/effects.py)
-> COMMIT the decision: effects + the user's utterance + the flow's events in one database transaction
(assistant/turn_commit.py) -> write the reply (generator or template) -> append the reply event.

So the text a client sees (streamed or not) only ever describes committed changes, a crash or a client
disconnect never leaves an order change without its events, and a streamed turn runs to completion in its
own thread even when the client goes away. Failures never raise to the user: the Turn carries an error
*code* (``internal_error``, ``bad_session``, ``session_forbidden``) and an apology; the log has the details.
Session state lives only as events; the session store caches it (bounded) and rebuilds it on a miss.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, replace

from assistant.analytics.turn_log import measure_turn
from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.router import route
from assistant.dialogue.state import DialogueState, apply
from assistant.effects import LogViews, RecordFeedback, ShownItem
from assistant.events import BotUttered, CartAdded, ProductsShown, SessionStarted, UserUttered
from assistant.privacy import ForgetReport, Redaction, forget_user, redact
from assistant.protocol import FEEDBACK_KINDS, CartLine, DemoUser
from assistant.runtime import Runtime
from assistant.records import Action, Candidate, Parse, ReplyFacts, Turn
from assistant.threaded import iterate_in_thread
from assistant.turn_commit import DecidingRanker, TurnCommitter
from assistant.users import ANONYMOUS, UserRef
from assistant.writer.template import template_reply

log = logging.getLogger(__name__)

APOLOGY = "Sorry, something went wrong on my side. Please try again, or ask for a human agent."
BAD_SESSION = "I lost track of this conversation. Please start a new one."
OTHER_SESSION = "This conversation belongs to another account. Please start a new conversation."
INTERNAL_ERROR = "internal_error"  # Turn.error codes: clients never see exception text


class AssistantError(ValueError):
    """Bad input to the assistant API (unknown feedback kind, ...); ``code`` is the client-facing error code."""

    code = "invalid_feedback"


class FeedbackRejected(AssistantError):
    """Feedback on a product that was not shown in this session (or on someone else's session)."""

    code = "product_not_shown"


@dataclass(frozen=True)
class _Prepared:
    state: DialogueState
    parse: Parse
    redaction: Redaction
    result: FlowResult
    facts: ReplyFacts
    clock: Stopwatch


class Assistant:
    """The conversation engine over one ``Runtime`` (assistant/runtime.py), which owns every resource."""

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.settings = runtime.settings
        self.parser, self.index, self.writer, self.ranker = runtime.parser, runtime.index, runtime.writer, runtime.ranker
        self.orders, self.events, self.sessions = runtime.stores.orders, runtime.stores.events, runtime.stores.sessions
        self.ctx = FlowContext(index=self.index, ranker=DecidingRanker(self.ranker), orders=self.orders,
                               policies=runtime.policies, vocabulary=runtime.vocabulary,
                               search_tuning=self.settings.search)
        self.committer = TurnCommitter(self.events, self.orders, self.ranker, log_interactions=True)

    def reset_state(self, seed: int) -> None:
        """Forget every in-memory trace of earlier conversations (cached sessions, the ranker's learning since
        start-up) and reseed the ranker: replay starts each conversation from the same state."""
        self.sessions.clear()
        self.ranker.restart(seed)

    def close(self) -> None:
        """Close the runtime (database pools, session locks); the Assistant is unusable afterwards."""
        self.runtime.close()

    # sessions -----------------------------------------------------------------------------------
    def new_session(self, user_id: str) -> str:
        user = UserRef.of(user_id)
        session_id = uuid.uuid4().hex
        self.events.append(session_id, user.id, SessionStarted())
        self.sessions.save(session_id, user.id, None)
        return session_id

    def forget_cached(self, session_id: str) -> None:
        """Drop the cached state of a session (it is rebuilt from the event log on the next turn)."""
        self.sessions.drop(session_id)

    def _owned_by_other(self, session_id: str, user: UserRef) -> bool:
        owner = self.sessions.owner(session_id)
        return owner is not None and owner != user.id

    def cart(self, session_id: str) -> list[CartLine]:
        with self.sessions.lock(session_id):
            owner = self.sessions.owner(session_id) or ANONYMOUS
            return list(self.sessions.state(session_id, owner).cart)

    def demo_users(self) -> list[DemoUser]:
        return [DemoUser(c.user_id, c.name, c.description) for c in self.orders.customers()]

    # turns --------------------------------------------------------------------------------------
    def handle(self, session_id: str, user_id: str, text: str, *, generate: bool | None = None) -> Turn:
        """One turn; raises ``SessionLockTimeout`` only when the session stays busy (API: 503 session_busy)."""
        user = UserRef.of(user_id)
        with self.sessions.lock(session_id):
            *_, turn = self._run(session_id, user, text, generate, streaming=False)
        return turn

    def stream(self, session_id: str, user_id: str, text: str) -> Iterator[str | Turn]:
        """Reply tokens, then the Turn. The turn runs in its own thread (which holds the session lock), so the
        consumer may hop threads between tokens and may stop early: the turn still finishes and is stored."""
        user = UserRef.of(user_id)

        def produce() -> Iterator[str | Turn]:
            with self.sessions.lock(session_id):
                yield from self._run(session_id, user, text, None, streaming=True)

        return iterate_in_thread(produce, f"turn-{str(session_id)[:8]}")

    def _run(self, session_id: str, user: UserRef, text, generate: bool | None, *, streaming: bool) -> Iterator[str | Turn]:
        """decide -> commit -> write -> append the reply; yields tokens (when streaming) and then the Turn."""
        prepared = self._prepare_or_error(session_id, user, text)
        if isinstance(prepared, Turn):
            yield from ((prepared.reply, prepared) if streaming else (prepared,))
            return
        state = self._commit_decision(session_id, user, prepared)
        if isinstance(state, Turn):
            yield from ((state.reply, state) if streaming else (state,))
            return
        try:
            if streaming:
                reply, guard_passed, fallback = yield from self._stream_write(prepared)
            else:
                with prepared.clock.stage("write"):
                    reply, guard_passed, fallback = self._write(prepared.facts, generate)
        except Exception:  # noqa: BLE001 - the decision is committed: tell it with the template
            log.exception("the writer failed in session %s; replying with the template", session_id)
            reply, guard_passed, fallback = template_reply(prepared.facts), True, True
            if streaming:
                yield reply
        yield self._finish(session_id, user, prepared, state, reply, guard_passed, fallback)

    def _prepare_or_error(self, session_id: str, user: UserRef, text) -> _Prepared | Turn:
        redaction = redact(text if isinstance(text, str) else "")
        if not isinstance(session_id, str) or not 0 < len(session_id) <= 64:
            return Turn(str(session_id)[:64], user.id, redaction.text, BAD_SESSION, Action.REFUSE,
                        Parse(redaction.text, "out_of_scope", 0.0), error="bad_session")
        if self._owned_by_other(session_id, user):
            return Turn(session_id, user.id, redaction.text, OTHER_SESSION, Action.REFUSE,
                        Parse(redaction.text, "out_of_scope", 0.0), error="session_forbidden")
        try:
            return self._prepare(session_id, user, redaction)
        except Exception as exc:  # noqa: BLE001
            return self._error_turn(session_id, user, redaction.text, exc, None)

    def _prepare(self, session_id: str, user: UserRef, redaction: Redaction) -> _Prepared:
        clock = Stopwatch()
        state = self.sessions.state(session_id, user.id)
        with clock.stage("parse"):
            parse = self.parser.parse(redaction.text)
        result = route(self.ctx, state, parse, redaction, clock, lambda: self._transcript(session_id, redaction.text),
                       self.settings.nlu_confidence_threshold)
        facts = ReplyFacts(intent=result.intent or parse.intent, action=result.action, user_text=redaction.text,
                           products=tuple(c.product for c in result.products), orders=result.orders,
                           policies=result.policies, notes=result.notes, question=result.question, answer=result.answer,
                           verbatim=result.verbatim)
        return _Prepared(state, parse, redaction, result, facts, clock)

    def _transcript(self, session_id: str, current: str) -> str:
        past = self.events.transcript(session_id)
        return f"{past}\nuser: {current}".strip()

    def _commit_decision(self, session_id: str, user: UserRef, p: _Prepared) -> DialogueState | Turn:
        """The user's utterance, the flow's events and every effect, in one transaction; the new state."""
        events = (UserUttered(p.redaction.text, p.parse.intent, round(p.parse.confidence, 4)), *p.result.events)
        if self.sessions.owner(session_id) is None:
            events = (SessionStarted(), *events)
        effects = (*p.result.effects, *_views(session_id, user, p.result.products))
        try:
            with p.clock.stage("store"):
                self.committer.commit(session_id, user.id, events, effects)
        except Exception as exc:  # noqa: BLE001 - rolled back: nothing of the turn was written
            return self._error_turn(session_id, user, p.redaction.text, exc, p.parse)
        state = p.state
        for e in events:
            state = apply(state, e)
        self.sessions.save(session_id, user.id, state)
        return state

    def _write(self, facts: ReplyFacts, generate: bool | None) -> tuple[str, bool, bool]:
        use_model = self.settings.generate if generate is None else generate
        if use_model and self.writer is not None:
            written = self.writer.write(facts)
            return written.text, written.guard_passed, written.fallback
        return template_reply(facts), True, True

    def _stream_write(self, prepared: _Prepared):
        """Yields reply tokens; returns (reply, guard_passed, fallback)."""
        with prepared.clock.stage("write"):
            if self.writer is None or not self.settings.generate:
                reply = template_reply(prepared.facts)
                yield reply
                return reply, True, True
            final = None
            for item in self.writer.stream(prepared.facts):
                if isinstance(item, str):
                    yield item
                else:
                    final = item
            if final is None:
                reply = template_reply(prepared.facts)
                return reply, True, True
            return final.text, final.guard_passed, final.fallback

    def _finish(self, session_id: str, user: UserRef, p: _Prepared, state: DialogueState, reply: str,
                guard_passed: bool, fallback: bool) -> Turn:
        said = BotUttered(reply, p.result.action.value)
        turn = Turn(session_id=session_id, user_id=user.id, text=p.redaction.text, reply=reply, action=p.result.action,
                    parse=p.parse, products=p.result.products, timings=p.clock.timings(), guard_passed=guard_passed,
                    fallback=fallback, data=p.result.data, facts=p.facts)
        with p.clock.stage("store"):
            try:
                self.events.append(session_id, user.id, said, measure_turn(turn))
                self.sessions.save(session_id, user.id, apply(state, said))
            except Exception:  # noqa: BLE001 - the decision is committed; only the reply's record is missing
                log.exception("could not record the reply of session %s", session_id)
                self.sessions.drop(session_id)
        return replace(turn, timings=p.clock.timings())

    def _error_turn(self, session_id: str, user: UserRef, text: str, exc: Exception, parse: Parse | None) -> Turn:
        log.exception("turn failed in session %s", session_id, exc_info=exc)
        turn = Turn(session_id, user.id, text, APOLOGY, Action.CLARIFY, parse or Parse(text, "out_of_scope", 0.0),
                    fallback=True, error=INTERNAL_ERROR)
        try:  # best effort: the failed turn is kept in the (redacted) transcript and analytics
            events = (UserUttered(text, turn.parse.intent), BotUttered(APOLOGY, "clarify"), measure_turn(turn))
            if self.sessions.owner(session_id) is None:
                events = (SessionStarted(), *events)
            self.events.append(session_id, user.id, *events)
            self.sessions.drop(session_id)
        except Exception:  # noqa: BLE001 - the store itself may be what failed
            log.exception("could not record the failed turn")
        return turn

    # feedback and privacy ---------------------------------------------------------------------------
    def feedback(self, session_id: str, user_id: str, product_id: str, kind: str) -> None:
        """Feedback on a product shown in this session; committed like a turn (events + interaction at once).
        Raises ``FeedbackRejected`` for anything not shown here (nobody can rate the whole catalog)."""
        user = UserRef.of(user_id)
        if kind not in FEEDBACK_KINDS:
            raise AssistantError(f"unknown feedback kind {kind!r}; expected one of {', '.join(FEEDBACK_KINDS)}")
        if not isinstance(session_id, str) or not isinstance(product_id, str):
            raise AssistantError("session id and product id must be strings")
        with self.sessions.lock(session_id):
            if self._owned_by_other(session_id, user):
                raise FeedbackRejected("this session belongs to another user")
            if product_id not in self._shown_in(session_id):
                raise FeedbackRejected(f"product {product_id!r} was not shown in this session")
            products = self.index.get([product_id])
            if not products:
                raise AssistantError(f"unknown product id {product_id!r}")
            p = products[0]
            if kind == "add_to_cart" and p.price is None:
                raise FeedbackRejected(f"product {product_id!r} has no listed price, so it cannot be added to the cart")
            events = (CartAdded(p.id, p.title, p.price, 1),) if kind == "add_to_cart" else ()
            state = self.sessions.state(session_id, user.id)
            self.committer.commit(session_id, user.id, events, (RecordFeedback(user.id, p.id, kind, session_id),))
            for e in events:
                state = apply(state, e)
            self.sessions.save(session_id, user.id, state)

    def _shown_in(self, session_id: str) -> set[str]:
        """Every product shown in the session (all its ProductsShown events, not just the current list)."""
        return {pid for e in self.events.events(session_id) if isinstance(e.event, ProductsShown)
                for pid in e.event.product_ids}

    def forget(self, user_id: str) -> ForgetReport:
        """Delete the user's interactions, sessions/events and transcripts (``privacy.forget_user``) and drop
        every in-memory trace of them in this process (cached sessions, ranker profile)."""
        report = forget_user(self.events.engine, user_id)
        report = replace(report, cached_sessions=self.sessions.forget_user(user_id))
        self.ranker.forget(user_id)
        return report


def _views(session_id: str, user: UserRef, products: tuple[Candidate, ...]) -> tuple[LogViews, ...]:
    if not products:
        return ()
    items = tuple(ShownItem(c.product.id, c.position, c.propensity) for c in products)
    return (LogViews(user.id, session_id, items),)


__all__ = ["Assistant", "AssistantError", "FeedbackRejected"]
