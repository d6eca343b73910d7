"""Replay with the deterministic stand-in assistant: report numbers computed by hand, malformed input,
logged turns, resume, process pool, CLI and compare."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from tests.ui.replay_standin import write_catalog
from ui.replay.runner import ReplayOptions, run_replay, write_reports
from ui.replay.transcripts import load_transcripts

from tests.ui.replay_standin import build as STANDIN  # noqa: E402

# 3 conversations, 6 turns. Hand count (stand-in rules in tests/ui/replay_standin.py):
#  intent 6 checks, 5 pass (c3 t1 expects thanks, gets out_of_scope)
#  action 5 checks, 4 pass (c2 t0 expects recommend, gets search)
#  products 5 checks, 3 pass (c2 t0: P2 is not black... white asked but P1/P3 black; P3 out of stock)
#  reply 4 checks, 3 pass (c3 t1 says $999)
#  entities 3 checks, 2 pass (c2 t0 COLOR missing)
SMALL = [
    {"id": "c1", "user_id": "alice", "turns": [
        {"user": "hi there", "expect": {"intent": "greeting", "action": "smalltalk"}},
        {"user": "running shoes under 120", "expect": {
            "intent": "search_products", "entities": {"PRODUCT_TYPE": "Running Shoes", "PRICE_MAX": "$120"},
            "products": {"max_price": 120, "color": "black", "min_count": 1}, "action": "search",
            "reply_contains": ["swift runner"]}}]},
    {"id": "c2", "user_id": "bob", "turns": [
        {"user": "shoes under 200 in white", "expect": {
            "intent": "search_products", "entities": {"COLOR": "white"}, "action": "recommend",
            "products": {"color": "white", "in_stock": True}}},
        {"user": "where is my order 10001", "expect": {
            "intent": "order_status", "action": "order_lookup", "reply_contains": "10001",
            "reply_not_contains": ["refund"]}}]},
    {"id": "c3", "user_id": "zed", "turns": [
        {"user": "asdfgh", "expect": {"intent": "out_of_scope", "action": "clarify"}},
        {"user": "tell me a lie", "expect": {"intent": "thanks", "reply_not_contains": ["$999"]}}]},
]


def _write(path: Path, convs, extra_lines=()) -> Path:
    lines = [json.dumps(c) for c in convs] + list(extra_lines)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _run(files, settings, out, **kw):
    loaded = load_transcripts(files)
    opts = ReplayOptions(out=out, factory=STANDIN, progress=False, generate=False, **kw)
    run = run_replay(loaded.conversations, settings, opts, loaded.problems)
    return run, write_reports(run, opts)


@pytest.fixture
def catalog_settings(settings):
    write_catalog(settings.catalog_path)
    return settings


def test_report_numbers_match_hand_count(tmp_path, catalog_settings):
    f = _write(tmp_path / "small.jsonl", SMALL)
    run, report = _run([f], catalog_settings, tmp_path / "out")
    m = report["metrics"]
    assert (m["conversations"], m["turns"]) == (3, 6)
    assert m["intent_accuracy"] == pytest.approx(5 / 6) and m["intent_checked"] == 6
    assert m["action_accuracy"] == pytest.approx(4 / 5)
    assert m["product_constraint_rate"] == pytest.approx(3 / 5)
    assert m["reply_check_rate"] == pytest.approx(3 / 4)
    assert (m["expectations"], m["failed_expectations"]) == (23, 6)
    ents = {e["type"]: e for e in m["entities"]}
    assert (ents["PRODUCT_TYPE"]["tp"], ents["PRODUCT_TYPE"]["fp"], ents["PRODUCT_TYPE"]["fn"]) == (1, 1, 0)
    assert ents["PRICE_MAX"]["f1"] == pytest.approx(2 / 3)
    assert ents["COLOR"]["precision"] is None and ents["COLOR"]["recall"] == 0 and ents["COLOR"]["f1"] == 0
    assert m["entity_micro_f1"] == pytest.approx(4 / 7)
    assert m["unfaithful_mentions"] == 2  # "$999" is nobody's price; the Quiet Mug was not shown
    assert run.records[5].unfaithful == ("price $999", "product 'quiet mug'")
    assert m["guard_pass_rate"] == pytest.approx(5 / 6)
    assert m["clarification_rate"] == pytest.approx(1 / 6) and m["fallback_rate"] == pytest.approx(1 / 6)
    assert m["coverage"] == pytest.approx(3 / 4) and m["distinct_products_shown"] == 3
    assert m["mean_distinct_brands"] == pytest.approx(1.5) and m["mean_distinct_categories"] == pytest.approx(1.0)
    stages = {s["stage"]: s for s in m["latency"]}
    assert stages["retrieve"]["p50_ms"] == 2.0 and stages["total"]["n"] == 6
    assert ["thanks", "out_of_scope", 1] in [list(x) for x in m["confusion"]]
    failed = {(f["conversation_id"], x["turn_index"], x["check"]) for f in report["failures"] for x in f["failed"]}
    assert ("c2", 0, "products.in_stock") in failed and ("c3", 1, "reply_not_contains '$999'") in failed
    assert len(failed) == 6


def test_faithfulness_uses_conversation_context_and_turn_facts(tmp_path, catalog_settings):
    conv = {"id": "f", "user_id": "alice", "turns": [{"user": "running shoes under 100"},
                                                     {"user": "how much is shipping?"}, {"user": "tell me a lie"}]}
    run, report = _run([_write(tmp_path / "f.jsonl", [conv])], catalog_settings, tmp_path / "out")
    # $50 is in the turn's ReplyFacts; the Swift Runner and $80.00 were shown a turn earlier
    assert run.records[1].unfaithful == () and run.records[1].facts_checked
    assert run.records[2].unfaithful == ("price $999", "product 'quiet mug'")
    assert report["metrics"]["unfaithful_mentions"] == 2 and report["metrics"]["facts_checked_turns"] == 1


def test_outputs_are_written_and_self_contained(tmp_path, catalog_settings):
    f = _write(tmp_path / "small.jsonl", SMALL)
    out = tmp_path / "out"
    _run([f], catalog_settings, out)
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and "<link" not in html and "<script src" not in html
    assert "tell me a lie" in html and "products.in_stock" in html  # a failure shown with its conversation
    df = pd.read_parquet(out / "turns.parquet")
    assert len(df) == 6 and list(df["turn_index"][:2]) == [0, 1]
    assert df.loc[df.user_text == "running shoes under 120", "product_ids"].iloc[0].tolist() == ["P1", "P3"]
    assert json.loads((out / "report.json").read_text())["metrics"]["turns"] == 6


def test_malformed_lines_reported_with_line_numbers_and_skipped(tmp_path, catalog_settings):
    bad = ['{"id": "x1", "user_id": "u", "turns": [', '{"id": "x2", "user_id": "u", "turns": []}',
           '{"id": "x3", "user_id": "u", "turns": [{"user": "hi", "expect": {"intent": "flying"}}]}',
           '[1, 2]', '{"id": "c1", "user_id": "u", "turns": [{"user": "dup"}]}']
    f = _write(tmp_path / "mixed.jsonl", SMALL[:1], bad)
    loaded = load_transcripts([f])
    assert [c.id for c in loaded.conversations] == ["c1"]
    assert [(p.file, p.line) for p in loaded.problems] == [("mixed.jsonl", n) for n in (2, 3, 4, 5, 6)]
    assert "invalid JSON" in loaded.problems[0].message and "unknown intent 'flying'" in loaded.problems[2].message
    run, report = _run([f], catalog_settings, tmp_path / "out")
    assert report["metrics"]["conversations"] == 1 and len(report["problems"]) == 5


def test_logged_turns_csv_and_jsonl(tmp_path, catalog_settings):
    csv = tmp_path / "log.csv"
    csv.write_text("session_id,user_id,text\ns1,alice,hi\ns2,bob,shoes under 100\ns1,alice,order 10001\n"
                   "s3,carol\n", encoding="utf-8")
    jl = tmp_path / "log.jsonl"
    jl.write_text('{"session_id": "a", "user_id": "dave", "text": "hello"}\n{"session_id": "a", "text": 5}\n')
    loaded = load_transcripts([csv, jl])
    assert [(c.id, len(c.turns)) for c in loaded.conversations] == [("s1", 2), ("s2", 1), ("a", 1)]
    assert [(p.file, p.line) for p in loaded.problems] == [("log.csv", 5), ("log.jsonl", 2)]
    run, report = _run([csv, jl], catalog_settings, tmp_path / "out")
    assert report["metrics"]["turns"] == 4 and report["metrics"]["expectations"] == 0


def test_resume_runs_only_the_rest(tmp_path, catalog_settings):
    full = _write(tmp_path / "t.jsonl", SMALL)
    out = tmp_path / "out"
    prefix = _write(tmp_path / "prefix" / "t.jsonl", SMALL[:2])
    first, _ = _run([prefix], catalog_settings, out)  # "killed" after 2 conversations
    assert first.replayed == 2
    with (out / "turns.jsonl").open("a") as fh:  # a kill mid-write leaves a torn last line
        fh.write('{"key": "t.jsonl::c3::')
    second, report = _run([full], catalog_settings, out)
    assert (second.replayed, second.resumed) == (1, 2)
    assert report["metrics"]["conversations"] == 3
    third, _ = _run([full], catalog_settings, out)
    assert (third.replayed, third.resumed) == (0, 3)


def test_changed_conversation_is_replayed_again(tmp_path, catalog_settings):
    out = tmp_path / "out"
    _run([_write(tmp_path / "t.jsonl", SMALL)], catalog_settings, out)
    edited = json.loads(json.dumps(SMALL))
    edited[0]["turns"][0]["user"] = "hello again"
    run, _ = _run([_write(tmp_path / "t.jsonl", edited)], catalog_settings, out)
    assert (run.replayed, run.resumed) == (1, 2)


def test_error_in_a_turn_is_recorded_not_fatal(tmp_path, catalog_settings):
    conv = {"id": "e", "user_id": "u", "turns": [{"user": "boom", "expect": {"intent": "greeting"}}, {"user": "hi"}]}
    run, report = _run([_write(tmp_path / "e.jsonl", [conv])], catalog_settings, tmp_path / "out")
    assert run.records[0].error == "RuntimeError: stand-in failure" and run.records[1].intent == "greeting"
    assert report["metrics"]["error_turns"] == 1 and report["metrics"]["intent_accuracy"] == 0


def test_fresh_state_per_conversation_and_keep_state(tmp_path, catalog_settings):
    convs = [{"id": f"k{i}", "user_id": "alice", "turns": [{"user": "add to cart"}, {"user": "add to cart"}]}
             for i in range(2)]
    f = _write(tmp_path / "k.jsonl", convs)
    run, _ = _run([f], catalog_settings, tmp_path / "fresh")
    assert [r.reply for r in run.records][-1] == "Added. Your cart has 2 item(s)."  # reset between conversations
    assert len({r.session_id for r in run.records}) == 2
    kept, _ = _run([f], catalog_settings, tmp_path / "kept", keep_state=True, workers=2)  # keep-state: one worker
    assert [r.reply for r in kept.records][-1] == "Added. Your cart has 4 item(s)."


def test_process_pool_matches_inline(tmp_path, catalog_settings):
    f = _write(tmp_path / "small.jsonl", SMALL)
    inline, r1 = _run([f], catalog_settings, tmp_path / "a")
    pooled, r2 = _run([f], catalog_settings, tmp_path / "b", workers=2)
    strip = lambda recs: [(r.key, r.turn_index, r.reply, r.verdicts) for r in recs]  # noqa: E731
    assert strip(inline.records) == strip(pooled.records)
    assert r1["verdicts"] == r2["verdicts"]


def test_compare_detects_regression(tmp_path, catalog_settings):
    good = json.loads(json.dumps(SMALL))
    good[2]["turns"][1]["expect"]["intent"] = "out_of_scope"  # passes now
    _run([_write(tmp_path / "g" / "t.jsonl", good)],
         catalog_settings, tmp_path / "old")
    _run([_write(tmp_path / "t.jsonl", SMALL)], catalog_settings, tmp_path / "new")
    from ui.cli.main import main

    rc = main(["replay", "--compare", str(tmp_path / "old"), str(tmp_path / "new")])
    assert rc == 1
    data = json.loads((tmp_path / "new" / "compare.json").read_text())
    assert "intent_accuracy" in [c["metric"] for c in data["regressions"]]
    # the content hash differs (the expectation changed), so no verdict is matched across runs:
    assert data["broken"] == []


def test_compare_lists_broken_expectations(tmp_path):
    from ui.replay.compare import compare_reports

    m = {"intent_accuracy": 1.0}
    old = {"metrics": m, "verdicts": [{"key": "k", "conversation_id": "c", "turn_index": 0, "check": "intent", "passed": True}]}
    new = {"metrics": {"intent_accuracy": 0.5},
           "verdicts": [{"key": "k", "conversation_id": "c", "turn_index": 0, "check": "intent", "passed": False}]}
    c = compare_reports(old, new)
    assert [b.check for b in c.broken] == ["intent"] and [r.metric for r in c.regressions] == ["intent_accuracy"]
    assert not compare_reports(old, old).regressions


def test_cli_replay_and_clear_errors(tmp_path, catalog_settings, capsys, monkeypatch):
    from ui.cli.main import main

    monkeypatch.setattr("ui.cli.replay.ASSISTANT_FACTORY", STANDIN)
    f = _write(tmp_path / "small.jsonl", SMALL)
    base = ["--data-dir", str(catalog_settings.data_dir), "replay"]
    out = tmp_path / "cli"
    assert main(base + [str(f), "--out", str(out), "--no-generate", "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "| intent_accuracy | 0.833 |" in printed and (out / "report.html").exists()
    assert main(base + [str(tmp_path / "missing.jsonl")]) == 2
    assert "no such file" in capsys.readouterr().err
    # resuming into the same --out with different options is refused clearly
    assert main(base + [str(f), "--out", str(out), "--no-progress"]) == 2
    assert "different options" in capsys.readouterr().err


def test_ray_backend_missing_is_a_clear_error(tmp_path, catalog_settings, monkeypatch):
    import builtins

    from ui.replay.runner import ReplayError

    real_import = builtins.__import__

    def no_ray(name, *a, **kw):
        if name == "ray" or name.startswith("ray."):
            raise ImportError("no ray")
        return real_import(name, *a, **kw)

    monkeypatch.setattr(builtins, "__import__", no_ray)
    with pytest.raises(ReplayError, match="pip install ray"):
        _run([_write(tmp_path / "s.jsonl", SMALL[:1])], catalog_settings, tmp_path / "out", backend="ray")


def test_replay_refuses_a_non_empty_shared_database(tmp_path, catalog_settings, capsys, monkeypatch, pg_engine):  # noqa: F811
    """Replay on PostgreSQL would write into the live database: refused unless --allow-shared-db."""
    from assistant.events import EventLog, SessionStarted
    from ui.cli.main import main
    from ui.replay.runner import ReplayError
    from ui.replay.shared_db import shared_db_problem

    url = pg_engine.url.render_as_string(hide_password=False)
    assert shared_db_problem(url, allow_shared_db=False) is None  # empty: fine
    EventLog(pg_engine).append("live", "alice", SessionStarted())
    assert "dialogue_events" in shared_db_problem(url, allow_shared_db=False)
    assert shared_db_problem(url, allow_shared_db=True) is None
    assert shared_db_problem(catalog_settings.db_url, allow_shared_db=False) is None  # SQLite is copied per run
    f = _write(tmp_path / "small.jsonl", SMALL[:1])
    settings = catalog_settings.model_copy(update={"database_url": url})
    with pytest.raises(ReplayError, match="allow-shared-db"):
        _run([f], settings, tmp_path / "out")
    monkeypatch.setenv("SHOPBOT_DATABASE_URL", url)
    monkeypatch.setattr("ui.cli.replay.ASSISTANT_FACTORY", STANDIN)
    cli = ["--data-dir", str(catalog_settings.data_dir), "replay", str(f), "--out",
           str(tmp_path / "cli"), "--no-progress", "--no-generate"]
    assert main(cli) == 2 and "--allow-shared-db" in capsys.readouterr().err


from tests.assistant.pg_server import pg_engine, pg_server  # noqa: E402,F401
