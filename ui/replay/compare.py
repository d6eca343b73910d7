"""Regressions between two replay runs: headline metrics that got worse and expectations that passed in
OLD and fail in NEW (matched by conversation key, turn index and check). Writes compare.json/html."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from html import escape
from pathlib import Path

from retrieval.atomic import write_text_atomic
from ui.replay.metrics import DIRECTION

TOLERANCE = 1e-9
LATENCY_TOLERANCE = 0.10  # latency counts as worse only beyond +10% (timing noise)


class CompareError(Exception):
    """A run directory or report that cannot be read."""


@dataclass(frozen=True)
class MetricChange:
    metric: str
    old: float | None
    new: float | None
    worse: bool


@dataclass(frozen=True)
class BrokenExpectation:
    key: str
    conversation_id: str
    turn_index: int
    check: str


@dataclass(frozen=True)
class Comparison:
    old: str
    new: str
    changes: tuple[MetricChange, ...]
    broken: tuple[BrokenExpectation, ...]  # passed before, fail now
    fixed: int  # failed before, pass now

    @property
    def regressions(self) -> tuple[MetricChange, ...]:
        return tuple(c for c in self.changes if c.worse)

    def to_dict(self) -> dict:
        return {**asdict(self), "regressions": [asdict(c) for c in self.regressions]}


def load_report(path: Path | str) -> dict:
    p = Path(path)
    p = p / "report.json" if p.is_dir() else p
    try:
        return json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CompareError(f"{p}: no report.json (give a replay --out directory or its report.json)") from None
    except (OSError, json.JSONDecodeError) as exc:
        raise CompareError(f"{p}: cannot read report ({exc})") from None


def _worse(metric: str, old, new) -> bool:
    if old is None or new is None:
        return False
    if metric.startswith("latency"):
        return new > old * (1 + LATENCY_TOLERANCE)
    return new < old - TOLERANCE if DIRECTION[metric] else new > old + TOLERANCE


def compare_reports(old: dict, new: dict, old_name: str = "OLD", new_name: str = "NEW") -> Comparison:
    changes = tuple(MetricChange(m, old["metrics"].get(m), new["metrics"].get(m),
                                 _worse(m, old["metrics"].get(m), new["metrics"].get(m))) for m in DIRECTION)
    before = {(v["key"], v["turn_index"], v["check"]): v for v in old.get("verdicts", ())}
    broken, fixed = [], 0
    for v in new.get("verdicts", ()):
        prev = before.get((v["key"], v["turn_index"], v["check"]))
        if prev is None:
            continue
        if prev["passed"] and not v["passed"]:
            broken.append(BrokenExpectation(v["key"], v["conversation_id"], v["turn_index"], v["check"]))
        elif not prev["passed"] and v["passed"]:
            fixed += 1
    return Comparison(old_name, new_name, changes, tuple(broken), fixed)


def _num(v) -> str:
    return "n/a" if v is None else (f"{v:.4g}" if isinstance(v, float) else str(v))


def render_text(c: Comparison) -> str:
    lines = [f"| metric | {c.old} | {c.new} | |", "|---|---:|---:|---|"]
    lines += [f"| {m.metric} | {_num(m.old)} | {_num(m.new)} | {'WORSE' if m.worse else ''} |" for m in c.changes]
    lines.append("")
    lines.append(f"{len(c.regressions)} metric(s) got worse; {len(c.broken)} expectation(s) passed before and fail now; "
                 f"{c.fixed} fixed.")
    lines += [f"  - {b.conversation_id} turn {b.turn_index}: {b.check}" for b in c.broken]
    return "\n".join(lines)


def render_html(c: Comparison) -> str:
    rows = "".join(f'<tr><td>{escape(m.metric)}</td><td>{_num(m.old)}</td><td>{_num(m.new)}</td>'
                   f'<td style="color:#b3261e">{"worse" if m.worse else ""}</td></tr>' for m in c.changes)
    broken = "".join(f"<li>{escape(b.conversation_id)} turn {b.turn_index}: {escape(b.check)}</li>" for b in c.broken)
    return (f'<!doctype html><html><head><meta charset="utf-8"><title>replay comparison</title><style>'
            f'body{{font-family:system-ui,sans-serif;max-width:900px;margin:2rem auto}}td,th{{border:1px solid #ddd;padding:.3rem .6rem}}'
            f'table{{border-collapse:collapse}}</style></head><body><h1>Replay comparison</h1>'
            f'<p>{escape(c.old)} &rarr; {escape(c.new)}: {len(c.regressions)} metric regression(s), {len(c.broken)} broken '
            f'expectation(s), {c.fixed} fixed.</p><table><tr><th>metric</th><th>old</th><th>new</th><th></th></tr>{rows}</table>'
            f'<h2>Expectations that passed before and fail now</h2><ul>{broken or "<li>none</li>"}</ul></body></html>')


def write_comparison(out: Path, c: Comparison) -> None:
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out / "compare.json", json.dumps(c.to_dict(), indent=2))
    write_text_atomic(out / "compare.html", render_html(c))
