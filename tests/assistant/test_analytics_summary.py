"""Analytics numbers against a small hand-computed event log."""

from __future__ import annotations

from datetime import timedelta

import pytest

from assistant.analytics.source import load_conversations, load_interactions
from assistant.analytics.summary import compute_summary, summarize
from assistant.db import make_engine
from tests.assistant.analytics_log import T_DAY1, T_DAY2, write_log


@pytest.fixture
def logged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    write_log(engine)
    return engine


def test_summary_matches_hand_computed_log(logged):
    engine = logged
    assert len(load_interactions(engine)) == 6
    s = summarize(load_conversations(engine), load_interactions(engine), confidence_threshold=0.5)
    assert (s.conversations, s.turns) == (3, 6)
    assert dict(s.intent_totals) == {"greeting": 1, "search_products": 2, "order_status": 1, "human_agent": 1,
                                     "complaint": 1}
    assert s.intents_by_day == (("2026-01-05", (("greeting", 1), ("search_products", 1))),
                                ("2026-01-06", (("complaint", 1), ("human_agent", 1), ("order_status", 1),
                                                ("search_products", 1))))
    # only s1 ends without a handoff or a complaint
    assert (s.resolved, s.handoffs, s.complaints) == (1, 1, 1)
    assert s.resolution_rate == pytest.approx(1 / 3) and s.handoff_rate == pytest.approx(1 / 3)
    assert (s.clarifications, s.low_confidence) == (1, 1)
    assert (s.measured_turns, s.guard_failures, s.fallbacks, s.errors) == (4, 1, 1, 0)
    # shown pairs: s1 p1 p2 p3, s3 p4 p1 -> clicks s1p1, s1p3, s3p1; added s1p1
    assert (s.shown, s.clicked, s.added) == (5, 3, 1)
    assert s.ctr == pytest.approx(0.6) and s.add_to_cart_rate == pytest.approx(0.2)
    assert (s.exploratory_shown, s.exploratory_clicked, s.exploit_clicked) == (2, 1, 2)
    assert s.exploration_share == pytest.approx(0.4)
    assert s.explore_ctr == pytest.approx(0.5) and s.exploit_ctr == pytest.approx(2 / 3)
    lat = {x.stage: x for x in s.latency}
    assert lat["parse"].n == 4 and lat["parse"].p50_ms == pytest.approx(25.0)
    assert lat["parse"].p95_ms == pytest.approx(38.5)  # numpy linear: 30 + 0.85 * 10
    assert lat["write"].p50_ms == pytest.approx(200.0) and lat["rank"].n == 1


def test_window_selects_conversations(logged):
    engine = logged
    day2_only = compute_summary(engine, since=T_DAY2 - timedelta(hours=1), until=T_DAY2 + timedelta(hours=1))
    assert (day2_only.conversations, day2_only.turns, day2_only.resolved) == (2, 4, 0)
    assert (day2_only.shown, day2_only.clicked, day2_only.added) == (2, 1, 0)  # day-1 clicks are outside
    nothing = compute_summary(engine, since=T_DAY1 - timedelta(days=30), until=T_DAY1 - timedelta(days=1))
    assert nothing.conversations == 0 and nothing.resolution_rate is None and nothing.ctr is None


def test_failed_and_unmeasured_turns(tmp_path):
    from assistant.analytics.turn_log import TurnMeasured
    from assistant.events import BotUttered, EventLog, UserUttered

    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    log = EventLog(engine)
    log.append("e1", "eve", UserUttered("boom", "search_products"), BotUttered("Sorry", "clarify"),
               TurnMeasured(fallback=True, error="RuntimeError: index down"))
    log.append("e1", "eve", UserUttered("hello again", "greeting", 0.99), BotUttered("Hi", "smalltalk"))  # no measurement
    s = compute_summary(engine)
    assert (s.turns, s.measured_turns, s.errors, s.fallbacks, s.clarifications, s.low_confidence) == (2, 1, 1, 1, 1, 1)
    assert s.fallback_rate == 1.0 and s.latency == () and s.shown == 0
