"""Run-level metrics computed from the per-turn records (definitions in ui/replay/README.md)."""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from assistant.latency import StageLatency, stage_latencies
from assistant.metrics import EntityScore, classification_scores, entity_value_scores
from ui.replay.record import TurnRecord

# metric name -> True when higher is better (used by compare to find regressions)
DIRECTION: dict[str, bool] = {
    "intent_accuracy": True, "action_accuracy": True, "entity_micro_f1": True, "product_constraint_rate": True,
    "reply_check_rate": True, "expectation_pass_rate": True, "guard_pass_rate": True,
    "unfaithful_mentions": False, "fallback_rate": False, "error_turns": False, "latency_p50_ms": False,
    "latency_p95_ms": False, "coverage": True, "mean_distinct_brands": True, "mean_distinct_categories": True,
}


@dataclass(frozen=True)
class Metrics:
    conversations: int
    turns: int
    error_turns: int
    expectations: int
    failed_expectations: int
    expectation_pass_rate: float | None
    intent_accuracy: float | None
    intent_checked: int
    action_accuracy: float | None
    action_checked: int
    entity_micro_f1: float | None
    entities: tuple[EntityScore, ...]
    product_constraint_rate: float | None
    product_constraints_checked: int
    reply_check_rate: float | None
    reply_checks: int
    guard_pass_rate: float | None
    unfaithful_mentions: int
    facts_checked_turns: int  # turns whose Turn carried the writer's ReplyFacts (checked against all of them)
    clarification_rate: float | None
    fallback_rate: float | None
    latency: tuple[StageLatency, ...]
    latency_p50_ms: float | None
    latency_p95_ms: float | None
    product_turns: int
    mean_distinct_brands: float | None
    mean_distinct_categories: float | None
    distinct_products_shown: int
    catalog_size: int | None
    coverage: float | None
    confusion: tuple[tuple[str, str, int], ...]  # (expected, predicted, count)

    def to_dict(self) -> dict:
        return asdict(self)

    def headline(self) -> dict[str, float | int | None]:
        return {k: getattr(self, k) for k in DIRECTION}


def _rate(passed: int, total: int) -> float | None:
    return passed / total if total else None


def _kind_rate(records: list[TurnRecord], kind: str) -> tuple[float | None, int]:
    vs = [v for r in records for v in r.verdicts if v.kind == kind]
    return _rate(sum(v.passed for v in vs), len(vs)), len(vs)


def entity_scores(records: list[TurnRecord]) -> tuple[tuple[EntityScore, ...], float | None]:
    """Per-type P/R/F1 over turns that state an ``entities`` expectation (taken as the full set);
    ``assistant.metrics.entity_value_scores`` does the matching."""
    checked = [r for r in records if r.expected_entities is not None]
    scores = entity_value_scores([[(t, v) for t, vals in r.expected_entities for v in vals] for r in checked],
                                 [[(t, v) for t, v, _ in r.entities] for r in checked])
    return scores.per_type, scores.micro.f1


def latency(records: list[TurnRecord]) -> tuple[StageLatency, ...]:
    by_stage: dict[str, list[float]] = {}
    for r in records:
        if r.error is None:
            by_stage.setdefault("total", []).append(r.wall_ms)
        for stage, ms in r.timings:
            by_stage.setdefault(stage, []).append(ms)
    return stage_latencies(sorted(by_stage.items(), key=lambda kv: (kv[0] != "total", kv[0])))


def _diversity(records: list[TurnRecord]) -> tuple[float | None, float | None]:
    lists = [r.products for r in records if len(r.products) >= 2]
    if not lists:
        return None, None
    return (float(np.mean([len({p.brand.lower() for p in ps}) for ps in lists])),
            float(np.mean([len({p.category.lower() for p in ps}) for ps in lists])))


def compute_metrics(records: list[TurnRecord] | tuple[TurnRecord, ...], catalog_size: int | None) -> Metrics:
    records = list(records)
    ok = [r for r in records if r.error is None]
    verdicts = [v for r in records for v in r.verdicts]
    intent_acc, n_intent = _kind_rate(records, "intent")
    action_acc, n_action = _kind_rate(records, "action")
    prod_rate, n_prod = _kind_rate(records, "products")
    reply_rate, n_reply = _kind_rate(records, "reply")
    ents, micro = entity_scores(records)
    lat = latency(records)
    total = next((s for s in lat if s.stage == "total"), None)
    brands, cats = _diversity(records)
    shown = {p.id for r in records for p in r.products}
    intents = [(r.expected_intent, r.intent) for r in records if r.expected_intent is not None]
    confusion = classification_scores([g for g, _ in intents], [p for _, p in intents]).confusion
    return Metrics(
        conversations=len({r.key for r in records}), turns=len(records), error_turns=len(records) - len(ok),
        expectations=len(verdicts), failed_expectations=sum(not v.passed for v in verdicts),
        expectation_pass_rate=_rate(sum(v.passed for v in verdicts), len(verdicts)),
        intent_accuracy=intent_acc, intent_checked=n_intent, action_accuracy=action_acc, action_checked=n_action,
        entity_micro_f1=micro, entities=ents, product_constraint_rate=prod_rate, product_constraints_checked=n_prod,
        reply_check_rate=reply_rate, reply_checks=n_reply,
        guard_pass_rate=_rate(sum(r.guard_passed for r in ok), len(ok)),
        unfaithful_mentions=sum(len(r.unfaithful) for r in records),
        facts_checked_turns=sum(r.facts_checked for r in records),
        clarification_rate=_rate(sum(r.action == "clarify" for r in ok), len(ok)),
        fallback_rate=_rate(sum(r.fallback for r in ok), len(ok)), latency=lat,
        latency_p50_ms=total.p50_ms if total else None, latency_p95_ms=total.p95_ms if total else None,
        product_turns=sum(bool(r.products) for r in records), mean_distinct_brands=brands,
        mean_distinct_categories=cats, distinct_products_shown=len(shown), catalog_size=catalog_size,
        coverage=len(shown) / catalog_size if catalog_size else None,
        confusion=confusion,
    )
