"""Commit one turn: its effects (order changes, tickets, feedback, shown-item logs) and its events in ONE
database transaction, then the in-memory ranking updates. Nothing a flow decided is written before this.

If any part fails (an ``EffectConflict`` because the order shipped meanwhile, a database error, a crash of
the process) the transaction rolls back: the order store, the tickets, the interaction log and the event
log never disagree. The in-memory updates run only after the commit succeeded.
"""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import insert

from assistant.effects import CancelOrder, CreateTicket, Effect, LogViews, RecordFeedback, StartReturn
from assistant.events import Event, EventLog
from assistant.interactions import INTERACTIONS, Interaction, utc_now
from assistant.orders.repository import OrderRepository
from assistant.ranking.policy import RankingPolicy


class TurnCommitter:
    def __init__(self, events: EventLog, orders: OrderRepository, ranker, *, log_interactions: bool = True) -> None:
        if orders.engine is not events.engine:
            raise ValueError("the order store and the event log must share one engine (a turn is one transaction)")
        self.events, self.orders, self.ranker = events, orders, ranker
        self.policy = ranker if isinstance(ranker, RankingPolicy) else None
        self.log_interactions = log_interactions

    def commit(self, session_id: str, user_id: str, events: tuple[Event, ...], effects: tuple[Effect, ...] = ()) -> None:
        rows: list[Interaction] = []
        with self.events.engine.begin() as conn:
            for effect in effects:
                rows.extend(self._apply(conn, effect))
            if rows and self.log_interactions:
                conn.execute(insert(INTERACTIONS), [asdict(r) for r in rows])
            self.events.append(session_id, user_id, *events, conn=conn)
        self._learn(effects, rows)

    def _apply(self, conn, effect: Effect) -> list[Interaction]:
        if isinstance(effect, CancelOrder):
            self.orders.apply_cancel(conn, effect.user_id, effect.order_id, effect.refund_id)
        elif isinstance(effect, StartReturn):
            self.orders.apply_return(conn, effect.user_id, effect.order_id, effect.return_id, effect.reason)
        elif isinstance(effect, CreateTicket):
            self.orders.apply_ticket(conn, effect.user_id, effect.session_id, effect.ticket_id, effect.reason,
                                     effect.transcript)
        elif isinstance(effect, RecordFeedback):
            return [self._feedback_row(effect)]
        elif isinstance(effect, LogViews):
            return self._view_rows(effect)
        else:
            raise TypeError(f"unknown effect {type(effect).__name__}")
        return []

    def _feedback_row(self, f: RecordFeedback) -> Interaction:
        if self.policy is not None:
            return self.policy.feedback_interaction(f.user_id, f.product_id, f.kind, session_id=f.session_id)
        return Interaction(f.user_id, f.product_id, f.kind, utc_now(), session_id=f.session_id)

    def _view_rows(self, v: LogViews) -> list[Interaction]:
        if self.policy is None:
            return []
        return self.policy.view_interactions(v.user_id, v.session_id,
                                             [(i.product_id, i.position, i.propensity) for i in v.items])

    def _learn(self, effects: tuple[Effect, ...], rows: list[Interaction]) -> None:
        if self.policy is None:
            return
        for effect in effects:
            if isinstance(effect, LogViews):
                self.policy.remember_views(effect.user_id, [(i.product_id, i.position, i.propensity) for i in effect.items])
        for row in rows:
            if row.kind != "view":
                self.policy.learn(row)


class DecidingRanker:
    """What the flows see of the ranker while a turn is decided: ranking that records nothing (the views are
    a ``LogViews`` effect of the turn) and no feedback (flows return ``RecordFeedback`` effects)."""

    def __init__(self, ranker) -> None:
        self._ranker = ranker

    def rank(self, user_id: str, hits, k: int = 5, *, avoid: tuple[str, ...] = (), filters=None, searching: bool = False):
        return self._ranker.rank(user_id, hits, k, avoid=avoid, filters=filters, searching=searching)

    def feedback(self, user_id: str, product_id: str, kind: str, *, session_id: str | None = None) -> None:
        raise RuntimeError("flows return RecordFeedback effects; they do not write feedback while routing")
