"""The analytics summary: what the bot did over a time window, from the event log and the interaction store.

Definitions (all counts are over conversations = sessions with at least one user turn in the window):
- resolved: a conversation with no handoff (HandoffCreated event or a ``handoff`` action) and no ``complaint`` turn;
- guard failures / template fallbacks: from the per-turn ``TurnMeasured`` event (turns without it are not counted);
- click-through / add-to-cart: per distinct (session, product) shown; clicked when the interaction store has a
  ``click`` for it in that session, added when it has an ``add_to_cart``/``purchase`` or the session a ``CartAdded``;
- exploration share: shown pairs whose ranker breakdown was exploratory, with their CTR next to the exploit picks';
- latency per stage: p50/p95 of the per-stage milliseconds in ``TurnMeasured``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy.engine import Engine

from assistant.latency import StageLatency, stage_latencies
from assistant.analytics.source import Conversation, LoggedInteraction, load_conversations, load_interactions

CLICK_KINDS = frozenset({"click"})
ADD_KINDS = frozenset({"add_to_cart", "purchase"})


@dataclass(frozen=True)
class AnalyticsSummary:
    since: datetime | None
    until: datetime | None
    conversations: int
    turns: int
    intent_totals: tuple[tuple[str, int], ...]  # most frequent first
    intents_by_day: tuple[tuple[str, tuple[tuple[str, int], ...]], ...]  # ("2026-11-23", (("greeting", 3), ...))
    resolved: int
    handoffs: int
    complaints: int
    clarifications: int
    low_confidence: int
    measured_turns: int  # turns carrying a TurnMeasured event
    guard_failures: int
    fallbacks: int
    errors: int  # turns that failed with an error (the user got an apology)
    shown: int  # distinct (session, product) pairs shown
    clicked: int
    added: int
    exploratory_shown: int
    exploratory_clicked: int
    exploit_clicked: int
    latency: tuple[StageLatency, ...]

    @staticmethod
    def _rate(num: int, den: int) -> float | None:
        return num / den if den else None

    @property
    def resolution_rate(self) -> float | None:
        return self._rate(self.resolved, self.conversations)

    @property
    def handoff_rate(self) -> float | None:
        return self._rate(self.handoffs, self.conversations)

    @property
    def guard_failure_rate(self) -> float | None:
        return self._rate(self.guard_failures, self.measured_turns)

    @property
    def fallback_rate(self) -> float | None:
        return self._rate(self.fallbacks, self.measured_turns)

    @property
    def ctr(self) -> float | None:
        return self._rate(self.clicked, self.shown)

    @property
    def add_to_cart_rate(self) -> float | None:
        return self._rate(self.added, self.shown)

    @property
    def exploration_share(self) -> float | None:
        return self._rate(self.exploratory_shown, self.shown)

    @property
    def explore_ctr(self) -> float | None:
        return self._rate(self.exploratory_clicked, self.exploratory_shown)

    @property
    def exploit_ctr(self) -> float | None:
        return self._rate(self.exploit_clicked, self.shown - self.exploratory_shown)


@dataclass(frozen=True)
class _Shown:
    session_id: str
    user_id: str
    item_id: str
    ts: datetime
    exploratory: bool


def _first_shown(convs: list[Conversation]) -> list[_Shown]:
    seen: dict[tuple[str, str], _Shown] = {}
    for c in convs:
        for t in c.turns:
            for s in t.shown:
                key = (c.session_id, s.item_id)
                if key not in seen:
                    seen[key] = _Shown(c.session_id, c.user_id, s.item_id, t.ts, s.exploratory)
                elif s.exploratory and not seen[key].exploratory:
                    seen[key] = _Shown(c.session_id, c.user_id, s.item_id, seen[key].ts, True)
    return list(seen.values())


def _matches(shown: _Shown, i: LoggedInteraction) -> bool:
    if i.item_id != shown.item_id:
        return False
    if i.session_id:
        return i.session_id == shown.session_id
    return i.user_id == shown.user_id and i.ts >= shown.ts


def _outcomes(convs: list[Conversation], interactions: list[LoggedInteraction]) -> dict[str, int]:
    shown = _first_shown(convs)
    carted = {(c.session_id, pid) for c in convs for pid, _ in c.carts}
    by_item: dict[str, list[LoggedInteraction]] = defaultdict(list)
    for i in interactions:
        by_item[i.item_id].append(i)
    out = Counter(shown=len(shown))
    for s in shown:
        hits = [i for i in by_item.get(s.item_id, ()) if _matches(s, i)]
        clicked = any(i.kind in CLICK_KINDS for i in hits)
        added = (s.session_id, s.item_id) in carted or any(i.kind in ADD_KINDS for i in hits)
        out["clicked"] += clicked
        out["added"] += added
        out["exploratory_shown"] += s.exploratory
        out["exploratory_clicked"] += clicked and s.exploratory
        out["exploit_clicked"] += clicked and not s.exploratory
    return out


def _latency(convs: list[Conversation]) -> tuple[StageLatency, ...]:
    per_stage: dict[str, list[float]] = defaultdict(list)
    for c in convs:
        for t in c.turns:
            if t.measured is not None:
                for stage, ms in t.measured.timings:
                    per_stage[stage].append(ms)
    return stage_latencies(per_stage.items())


def _intents(convs: list[Conversation]):
    totals: Counter = Counter()
    by_day: dict[str, Counter] = defaultdict(Counter)
    for c in convs:
        for t in c.turns:
            intent = t.intent or "unknown"
            totals[intent] += 1
            by_day[t.ts.astimezone(timezone.utc).date().isoformat()][intent] += 1
    days = tuple((day, tuple(sorted(cnt.items(), key=lambda kv: (-kv[1], kv[0])))) for day, cnt in sorted(by_day.items()))
    return tuple(sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))), days


def summarize(convs: list[Conversation], interactions: list[LoggedInteraction], *, confidence_threshold: float = 0.5,
              since: datetime | None = None, until: datetime | None = None) -> AnalyticsSummary:
    convs = [c for c in convs if c.turns]
    turns = [t for c in convs for t in c.turns]
    measured = [t.measured for t in turns if t.measured is not None]
    totals, by_day = _intents(convs)
    o = _outcomes(convs, interactions)
    return AnalyticsSummary(
        since=since, until=until, conversations=len(convs), turns=len(turns), intent_totals=totals, intents_by_day=by_day,
        resolved=sum(not (c.handoff or c.complaint) for c in convs), handoffs=sum(c.handoff for c in convs),
        complaints=sum(c.complaint for c in convs), clarifications=sum(t.action == "clarify" for t in turns),
        low_confidence=sum(t.confidence < confidence_threshold or bool(t.measured and t.measured.low_confidence)
                           for t in turns),
        measured_turns=len(measured), guard_failures=sum(not m.guard_passed for m in measured),
        fallbacks=sum(m.fallback for m in measured), errors=sum(bool(m.error) for m in measured), shown=o["shown"], clicked=o["clicked"], added=o["added"],
        exploratory_shown=o["exploratory_shown"], exploratory_clicked=o["exploratory_clicked"],
        exploit_clicked=o["exploit_clicked"], latency=_latency(convs))


def compute_summary(engine: Engine, *, since: datetime | None = None, until: datetime | None = None,
                    window: timedelta | None = None, confidence_threshold: float = 0.5) -> AnalyticsSummary:
    """The summary of [since, until) (or the last ``window`` up to now) read from the stores on ``engine``."""
    if window is not None:
        until = until or datetime.now(timezone.utc)
        since = until - window
    convs = load_conversations(engine, since, until)
    interactions = load_interactions(engine, since, until)
    return summarize(convs, interactions, confidence_threshold=confidence_threshold, since=since, until=until)
