"""``TurnMeasured``: the per-turn facts analytics needs that the dialogue events do not carry.

It is an ordinary event dataclass appended through ``EventLog.append`` together with the turn's other
events (kind ``"TurnMeasured"``). Session replay ignores it (it is not in ``assistant.events.EVENT_TYPES``),
so adding it changes no dialogue behaviour. The Assistant appends ``measure_turn(...)`` per finished turn.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from assistant.records import Candidate, StageTiming, Turn

KIND = "TurnMeasured"


@dataclass(frozen=True)
class ShownItem:
    """One product as shown: its 1-based position, the logging propensity and the score parts."""

    item_id: str
    position: int
    propensity: float = 1.0
    exploratory: bool = False
    parts: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class TurnMeasured:
    guard_passed: bool = True
    fallback: bool = False
    error: str = ""
    low_confidence: bool = False
    timings: tuple[tuple[str, float], ...] = ()  # (stage, ms)
    shown: tuple[ShownItem, ...] = ()


def shown_items(products: Iterable[Candidate]) -> tuple[ShownItem, ...]:
    """Shown items with their 1-based display slot in this turn (the order shown, whatever base the ranker uses)."""
    out = []
    for i, c in enumerate(products):
        out.append(ShownItem(c.product.id, i + 1, float(c.propensity), bool(c.breakdown.exploratory),
                             tuple((str(k), float(v)) for k, v in c.breakdown.parts)))
    return tuple(out)


def measure(*, guard_passed: bool, fallback: bool, products: Iterable[Candidate] = (),
            timings: Iterable[StageTiming] = (), error: str | None = None, low_confidence: bool = False) -> TurnMeasured:
    return TurnMeasured(guard_passed=bool(guard_passed), fallback=bool(fallback), error=error or "",
                        low_confidence=bool(low_confidence),
                        timings=tuple((t.stage, float(t.ms)) for t in timings), shown=shown_items(products))


def measure_turn(turn: Turn) -> TurnMeasured:
    """The analytics event of a finished turn (append it with the turn's other events)."""
    return measure(guard_passed=turn.guard_passed, fallback=turn.fallback, products=turn.products,
                   timings=turn.timings, error=turn.error, low_confidence=turn.parse.low_confidence)


def decode_measured(data: dict) -> TurnMeasured:
    """Rebuild a TurnMeasured from its stored JSON payload (tolerates missing keys)."""
    shown = tuple(ShownItem(str(s["item_id"]), int(s.get("position", i + 1)), float(s.get("propensity", 1.0)),
                            bool(s.get("exploratory", False)), tuple((str(k), float(v)) for k, v in s.get("parts", ())))
                  for i, s in enumerate(data.get("shown", ())))
    return TurnMeasured(guard_passed=bool(data.get("guard_passed", True)), fallback=bool(data.get("fallback", False)),
                        error=str(data.get("error") or ""), low_confidence=bool(data.get("low_confidence", False)),
                        timings=tuple((str(k), float(v)) for k, v in data.get("timings", ())), shown=shown)
