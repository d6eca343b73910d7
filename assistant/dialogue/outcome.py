"""What a flow decided in one turn (typed), and the per-stage stopwatch of a turn."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from assistant.effects import Effect
from assistant.events import Event
from assistant.records import Action, Candidate, OrderFact, StageTiming


@dataclass(frozen=True)
class FlowResult:
    action: Action
    notes: tuple[str, ...] = ()  # true statements for the writer
    products: tuple[Candidate, ...] = ()
    orders: tuple[OrderFact, ...] = ()
    policies: tuple[str, ...] = ()
    question: str | None = None
    answer: str | None = None
    data: tuple[tuple[str, str], ...] = ()
    events: tuple[Event, ...] = ()  # appended with the turn (see Assistant)
    intent: str | None = None  # the intent actually served (may differ from the parse, e.g. pending)
    effects: tuple[Effect, ...] = ()  # order changes, tickets, feedback: applied with the events, in one transaction
    verbatim: bool = False  # the notes are a computed answer the reply must say as written (no paraphrase)


class Stopwatch:
    """Accumulates milliseconds per stage within one turn."""

    def __init__(self) -> None:
        self._ms: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self._ms[name] = self._ms.get(name, 0.0) + (time.perf_counter() - start) * 1000.0

    def timings(self) -> tuple[StageTiming, ...]:
        return tuple(StageTiming(k, round(v, 3)) for k, v in self._ms.items())
