"""Replay of the shipped transcripts through the real Assistant (the default factory) with --no-generate (slow tier): report
files exist, numbers are internally consistent, and the privacy expectations hold."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from retrieval.catalog.io import save_catalog
from ui.replay.runner import ReplayOptions, run_replay, write_reports
from ui.replay.transcripts import load_transcripts

TRANSCRIPTS = sorted((Path(__file__).resolve().parents[1] / "transcripts").glob("*.jsonl"))
CROSS_USER = ("svc-10-cross-user-status", "svc-11-cross-user-cancel", "svc-12-cross-user-refund",
              "svc-13-new-visitor-order", "edge-04-impersonation")


@pytest.fixture(scope="module")
def replayed(tmp_path_factory, product_index, catalog):
    """One replay of every shipped transcript over the session's real product index (600 products)."""
    from assistant.settings import Settings

    tmp = tmp_path_factory.mktemp("replay_real")
    data_dir = Path(product_index.client.get_settings().persist_directory).parent  # the index's data dir
    save_catalog(catalog, tmp / "catalog.jsonl")
    settings = Settings(data_dir=data_dir, catalog_file=tmp / "catalog.jsonl", catalog_size=len(catalog))
    loaded = load_transcripts(TRANSCRIPTS)
    opts = ReplayOptions(out=tmp / "out", generate=False, progress=False)
    run = run_replay(loaded.conversations, settings, opts, loaded.problems)
    return loaded, run, write_reports(run, opts), opts.out, data_dir


@pytest.mark.slow
def test_real_replay_writes_consistent_reports(replayed):
    loaded, run, report, out, _ = replayed
    for name in ("report.json", "report.html", "turns.parquet", "turns.jsonl"):
        assert (out / name).stat().st_size > 0, name
    m = report["metrics"]
    n_turns = sum(len(c.turns) for c in loaded.conversations)
    assert (m["conversations"], m["turns"]) == (len(loaded.conversations), n_turns)
    assert len(pd.read_parquet(out / "turns.parquet")) == n_turns
    assert m["error_turns"] == 0, [r.error for r in run.records if r.error]
    for key in ("intent_accuracy", "action_accuracy", "product_constraint_rate", "reply_check_rate", "entity_micro_f1",
                "expectation_pass_rate", "clarification_rate", "coverage"):
        assert m[key] is not None and 0.0 <= m[key] <= 1.0, key
    assert m["guard_pass_rate"] == 1.0 and m["fallback_rate"] == 1.0  # --no-generate: the template writer
    assert m["intent_checked"] == sum(1 for c in loaded.conversations for t in c.turns if t.expect.intent)
    assert sum(n for _, _, n in m["confusion"]) == m["intent_checked"]
    assert {"total", "parse", "retrieve", "write"} <= {s["stage"] for s in m["latency"]}
    assert m["distinct_products_shown"] > 10 and m["mean_distinct_brands"] >= 1
    failed = m["failed_expectations"]
    assert failed == sum(len(f["failed"]) for f in report["failures"])
    assert json.loads((out / "report.json").read_text())["metrics"] == json.loads(json.dumps(m))
    if m["facts_checked_turns"] == m["turns"]:  # the Turn carries ReplyFacts: the template states only facts
        assert m["unfaithful_mentions"] == 0


@pytest.mark.slow
def test_real_replay_never_leaks_other_customers_orders(replayed):
    _, run, _, _, _ = replayed
    records = [r for r in run.records if r.conversation_id in CROSS_USER]
    assert len(records) == len(CROSS_USER)
    acted = [(r.conversation_id, r.action) for r in records
             if r.action in ("order_lookup", "cancel", "return_started", "refund_lookup")]
    assert acted == []  # refused, or asked to clarify: never acted on another customer's order
    checks = [v for r in records for v in r.verdicts if v.kind == "reply"]
    assert len(checks) >= 8
    assert all(v.passed for v in checks), [(v.check, v.actual) for v in checks if not v.passed]


@pytest.mark.slow
def test_real_replay_leaves_the_data_dir_untouched(replayed):
    _, _, _, _, data_dir = replayed
    assert not (data_dir / "shop.db").exists()  # fresh state works on a private copy
