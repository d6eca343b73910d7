"""Machine-readable outputs: ``report.json`` (summary, problems, every verdict, failures) and
``turns.parquet`` (one row per turn). Both are written atomically."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from retrieval.atomic import atomic_path, write_text_atomic
from ui.replay.metrics import Metrics
from ui.replay.record import TurnRecord
from ui.replay.transcripts import Problem

REPORT_VERSION = 1


def failures(records: tuple[TurnRecord, ...] | list[TurnRecord]) -> list[dict]:
    """Every failed expectation with its whole conversation (user text, reply, action) for context."""
    by_key: dict[str, list[TurnRecord]] = {}
    for r in records:
        by_key.setdefault(r.key, []).append(r)
    out = []
    for key, turns in by_key.items():
        failed = [(r.turn_index, v) for r in turns for v in r.verdicts if not v.passed]
        if not failed:
            continue
        out.append({
            "key": key, "file": turns[0].file, "conversation_id": turns[0].conversation_id, "user_id": turns[0].user_id,
            "failed": [{"turn_index": i, "check": v.check, "expected": v.expected, "actual": v.actual} for i, v in failed],
            "conversation": [{"turn_index": r.turn_index, "user": r.user_text, "reply": r.reply, "action": r.action,
                              "intent": r.intent, "products": [p.id for p in r.products], "error": r.error}
                             for r in turns],
        })
    return out


def build_report(records, problems: tuple[Problem, ...], metrics: Metrics, options: dict) -> dict:
    return {
        "version": REPORT_VERSION,
        "options": options,
        "metrics": metrics.to_dict(),
        "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in problems],
        "verdicts": [{"key": r.key, "conversation_id": r.conversation_id, "turn_index": r.turn_index,
                      "check": v.check, "passed": v.passed} for r in records for v in r.verdicts],
        "failures": failures(records),
    }


def write_report_json(out: Path, report: dict) -> Path:
    path = Path(out) / "report.json"
    write_text_atomic(path, json.dumps(report, indent=2, ensure_ascii=False))
    return path


def turns_frame(records) -> pd.DataFrame:
    rows = []
    for r in records:
        row = {
            "key": r.key, "file": r.file, "conversation_id": r.conversation_id, "user_id": r.user_id,
            "session_id": r.session_id, "turn_index": r.turn_index, "user_text": r.user_text, "reply": r.reply,
            "action": r.action, "intent": r.intent, "confidence": r.confidence,
            "expected_intent": r.expected_intent, "guard_passed": r.guard_passed, "fallback": r.fallback,
            "error": r.error, "wall_ms": r.wall_ms, "n_products": len(r.products),
            "product_ids": [p.id for p in r.products], "product_prices": [p.price for p in r.products],
            "product_brands": [p.brand for p in r.products], "product_categories": [p.category for p in r.products],
            "entities": json.dumps([list(e) for e in r.entities]),
            "timings": json.dumps(dict(r.timings)), "data": json.dumps(dict(r.data)),
            "unfaithful": list(r.unfaithful),
            "n_checks": len(r.verdicts), "n_failed": sum(not v.passed for v in r.verdicts),
            "verdicts": json.dumps([{"check": v.check, "passed": v.passed, "expected": v.expected,
                                     "actual": v.actual} for v in r.verdicts]),
        }
        for stage, ms in r.timings:
            row[f"ms_{stage}"] = ms
        rows.append(row)
    return pd.DataFrame(rows)


def write_turns_parquet(out: Path, records) -> Path:
    path = Path(out) / "turns.parquet"
    with atomic_path(path) as tmp:
        turns_frame(records).to_parquet(tmp, engine="pyarrow", index=False)
    return path
