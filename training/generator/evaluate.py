"""Held-out evaluation of the reply writer: guard pass, fallback and facts-covered rates, reply time.

- ``guard_pass_rate``: share of cases whose FIRST generated reply passes the guard.
- ``fallback_rate``: share of cases that ended on the template after the one regeneration.
- ``facts_covered_rate``: share of cases whose final reply names what it must (``required_mentions``):
  the top product's title for search/recommend, the order id for order actions, reference ids
  (return/ticket/refund ids) from the notes, and the answer value for attribute answers.
- ``p50_reply_s`` / ``p95_reply_s``: wall time of the whole ``write`` (all attempts), this machine.
"""

from __future__ import annotations

import logging
import statistics
import time
from collections import Counter
from dataclasses import dataclass

from assistant.records import Action, ReplyFacts
from assistant.writer.guard import required_mentions as guard_mentions
from assistant.writer.writer import ReplyWriter
from training.generator.data import Case

log = logging.getLogger(__name__)


def required_mentions(facts: ReplyFacts) -> tuple[str, ...]:
    """The guard's required mentions plus, for attribute answers, the answer's value."""
    need = list(guard_mentions(facts))
    if facts.action is Action.ANSWER and facts.answer and facts.answer != "not listed" and not facts.answer.startswith(("yes", "the desc")):
        need.append(facts.answer.split(",")[0])
    return tuple(dict.fromkeys(need))


def covers(text: str, facts: ReplyFacts) -> bool:
    low = text.lower()
    return all(m.lower() in low for m in required_mentions(facts))


@dataclass(frozen=True)
class CaseResult:
    kind: str
    first_passed: bool
    fallback: bool
    covered: bool
    seconds: float
    failures: tuple[str, ...]
    text: str


def run_case(writer: ReplyWriter, case: Case) -> CaseResult:
    start = time.perf_counter()
    out = writer.write(case.facts)
    seconds = time.perf_counter() - start
    first_passed = out.attempts == 1 and not out.fallback
    return CaseResult(case.kind, first_passed, out.fallback, covers(out.text, case.facts), seconds, out.failures, out.text)


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def summarise(results: list[CaseResult]) -> dict:
    n = len(results)
    times = [r.seconds for r in results] or [0.0]
    by_kind: dict[str, list[CaseResult]] = {}
    for r in results:
        by_kind.setdefault(r.kind, []).append(r)
    return {
        "n": n,
        "guard_pass_rate": round(sum(r.first_passed for r in results) / max(1, n), 4),
        "fallback_rate": round(sum(r.fallback for r in results) / max(1, n), 4),
        "facts_covered_rate": round(sum(r.covered for r in results) / max(1, n), 4),
        "p50_reply_s": round(statistics.median(times), 3),
        "p95_reply_s": round(_pct(times, 0.95), 3),
        "failure_kinds": dict(Counter(k for r in results for k in r.failures).most_common()),
        "guard_pass_by_kind": {k: round(sum(r.first_passed for r in v) / len(v), 3) for k, v in sorted(by_kind.items())},
    }


def evaluate(writer: ReplyWriter, cases: list[Case], *, progress_every: int = 10) -> tuple[dict, list[CaseResult]]:
    results = []
    for i, case in enumerate(cases, 1):
        results.append(run_case(writer, case))
        if progress_every and i % progress_every == 0:
            log.info("evaluated %d/%d (first-attempt guard pass so far %.2f)", i, len(cases),
                     sum(r.first_passed for r in results) / i)
    return summarise(results), results
