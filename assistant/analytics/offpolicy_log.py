"""Logged slates for off-policy evaluation, from the event log (TurnMeasured: shown items with position,
propensity and score parts) and the interaction store (rewards), and target weights from a TOML file.

A reward is a ``click``, ``add_to_cart`` or ``purchase`` (interaction store) or a ``CartAdded`` (event log) of a
shown item in the same session, credited to the latest turn that showed the item before it happened (the
first showing if none did). Turns without logged score parts (no TurnMeasured, or a ranker that logs none)
cannot be re-scored and are skipped.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import ValidationError

from assistant.analytics.source import AnalyticsError, Conversation, LoggedInteraction, LoggedTurn, belongs_to
from assistant.analytics.target_policy import LoggedSlate
from assistant.settings import RankerWeights

REWARD_KINDS = frozenset({"click", "add_to_cart", "purchase"})


def _credited_turn(turns: list[LoggedTurn], item_id: str, when) -> LoggedTurn | None:
    showing = [t for t in turns if any(s.item_id == item_id for s in t.shown)]
    if not showing:
        return None
    before = [t for t in showing if t.ts <= when]
    return before[-1] if before else showing[0]


def _rewarded(conv: Conversation, interactions: list[LoggedInteraction]) -> set[tuple[str, str]]:
    """(turn ref, item id) pairs that earned a reward."""
    turns = list(conv.turns)
    events = [(pid, ts) for pid, ts in conv.carts]
    events += [(i.item_id, i.ts) for i in interactions if i.kind in REWARD_KINDS and belongs_to(i, conv)]
    out = set()
    for item_id, when in events:
        turn = _credited_turn(turns, item_id, when)
        if turn is not None:
            out.add((turn.ref, item_id))
    return out


def slates_from_log(convs: list[Conversation], interactions: list[LoggedInteraction]) -> list[LoggedSlate]:
    slates = []
    for conv in convs:
        rewarded = _rewarded(conv, interactions)
        for t in conv.turns:
            if not t.shown or t.measured is None or not all(s.parts for s in t.shown):
                continue
            items = tuple(sorted(t.shown, key=lambda s: s.position))
            rewards = tuple(float((t.ref, s.item_id) in rewarded) for s in items)
            slates.append(LoggedSlate(t.ref, conv.user_id, items, rewards))
    return slates


def load_policy(path: Path) -> tuple[RankerWeights, float | None]:
    """Target weights from TOML: RankerWeights fields at the top level or under ``[ranker]``; an optional
    ``[offpolicy] temperature``. Unknown keys are an error (a typo would otherwise evaluate the defaults)."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise AnalyticsError(f"policy file not found: {path}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise AnalyticsError(f"{path}: not valid TOML ({exc})") from None
    temperature = data.pop("offpolicy", {}).get("temperature")
    weights = data.pop("ranker", None)
    if weights is None:
        weights = data
    elif data:
        raise AnalyticsError(f"{path}: unexpected top-level keys {sorted(data)} next to [ranker]")
    unknown = sorted(set(weights) - set(RankerWeights.model_fields))
    if unknown:
        raise AnalyticsError(f"{path}: unknown ranker weight(s) {unknown}; known: {sorted(RankerWeights.model_fields)}")
    try:
        return RankerWeights(**weights), (float(temperature) if temperature is not None else None)
    except (ValidationError, TypeError, ValueError) as exc:
        raise AnalyticsError(f"{path}: bad ranker weights ({exc})") from None
