"""`shopbot analytics`: summary table, self-contained HTML, off-policy table, inbox listing, clear errors."""

from __future__ import annotations

import re

import pytest

from assistant.analytics.offpolicy_log import slates_from_log
from assistant.analytics.source import load_conversations
from assistant.db import make_engine
from assistant.events import EventLog
from assistant.settings import RankerWeights
from tests.assistant.analytics_log import write_log
from bench.offpolicy_sim import simulate, write_slates
from ui.cli.main import main


@pytest.fixture
def data_dir(settings):
    engine = make_engine(settings.db_url)
    write_log(engine, fixed_days=False)
    return settings.data_dir


def test_cli_prints_summary_and_writes_self_contained_html(data_dir, capsys):
    assert main(["--data-dir", str(data_dir), "analytics", "--since", "1d", "--inbox", "5"]) == 0
    out = capsys.readouterr().out
    assert "| conversations | 3 |" in out and "| turns | 6 |" in out
    assert "| resolved (no handoff, no complaint) | 1 (33.3%) |" in out
    assert "| parse | 4 | 25.0 | 38.5 |" in out
    assert "Inbox: 4 turns waiting for review" in out and "[dislike] (search_products 0.85) show me socks" in out
    page = (data_dir / "analytics" / "analytics.html").read_text()
    assert page.count("data:image/png;base64,") == 3
    assert not re.search(r"<(script|link)\b|src=\"http", page)


def test_cli_offpolicy_report(data_dir, tmp_path, capsys):
    engine = make_engine(f"sqlite:///{(data_dir / 'shop.db').resolve()}")
    slates, _ = simulate(150, seed=5, logging=RankerWeights(), targets={})
    write_slates(EventLog(engine), slates)
    assert len(slates_from_log(load_conversations(engine), [])) == 150  # rewards from CartAdded round-trip
    policy = tmp_path / "weights.toml"
    policy.write_text("[ranker]\nrelevance = 2.0\nexploration = 0.0\n[offpolicy]\ntemperature = 0.25\n")
    assert main(["--data-dir", str(data_dir), "analytics", "--policy", str(policy), "--no-html"]) == 0
    out = capsys.readouterr().out
    rows = [line for line in out.splitlines() if line.startswith("| logging (current)") or line.startswith("| weights.toml")]
    assert len(rows) == 2 and all("| 150 | 600 |" in r for r in rows)
    observed = sum(sum(s.rewards) for s in slates) / 600
    assert f"{observed:.4f}" in rows[0]


@pytest.mark.parametrize("argv,message", [
    (["analytics", "--since", "7x"], "bad time window"),
    (["analytics", "--policy", "missing.toml"], "policy file not found"),
])
def test_cli_bad_input_is_one_clear_line(data_dir, argv, message, capsys):
    assert main(["--data-dir", str(data_dir), *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err


def test_cli_rejects_unknown_weight_and_exports_reviewed(data_dir, tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("relevnce = 2.0\n")
    assert main(["--data-dir", str(data_dir), "analytics", "--policy", str(bad), "--no-html"]) == 2
    assert "unknown ranker weight" in capsys.readouterr().err
    out = tmp_path / "reviewed.jsonl"
    assert main(["--data-dir", str(data_dir), "analytics", "--no-html", "--export-reviewed", str(out)]) == 0
    assert out.read_text() == "" and "wrote 0 reviewed examples" in capsys.readouterr().out


def test_page_for_the_gradio_tab(data_dir, settings):
    from assistant.analytics.page import analytics_page
    from assistant.runtime import open_stores

    with open_stores(settings) as stores:
        page = analytics_page(stores.engine, settings, "1d")
        assert "<td>conversations</td><td>3</td>" in page and page.count("data:image/png;base64,") == 3
        assert "bad time window" in analytics_page(stores.engine, settings, "soon")


def test_cli_labels_an_inbox_turn_and_exports_it(data_dir, tmp_path, capsys):
    from assistant.analytics.inbox import pending

    engine = make_engine(f"sqlite:///{(data_dir / 'shop.db').resolve()}")
    ref = next(i.ref for i in pending(engine) if i.text == "where is it")
    out = tmp_path / "reviewed.jsonl"
    argv = ["--data-dir", str(data_dir), "analytics", "--no-html", "--label", ref, "--intent", "order_status",
            "--reviewer", "ann", "--export-reviewed", str(out)]
    assert main(argv) == 0
    assert f"labelled {ref}: order_status []" in capsys.readouterr().out
    assert out.read_text() == '{"text": "where is it", "intent": "order_status", "entities": []}\n'
    bad = ["--data-dir", str(data_dir), "analytics", "--no-html", "--label", ref, "--intent", "order_status",
           "--entity", "ORDER_ID"]
    assert main(bad) == 2 and "use TYPE=surface" in capsys.readouterr().err
    assert main(["--data-dir", str(data_dir), "analytics", "--no-html", "--label", "nope:1", "--intent", "greeting"]) == 2
    assert "is not in the inbox" in capsys.readouterr().err
