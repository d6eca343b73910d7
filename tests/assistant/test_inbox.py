"""The misunderstood-turn inbox collects the right turns; a label round-trips into NLU training rows."""

from __future__ import annotations

import json

import pytest

from assistant.analytics.inbox import collect, export_reviewed, forget_user, label_spans, pending, reviewed, save_label
from assistant.analytics.source import AnalyticsError, load_conversations, load_interactions
from assistant.db import make_engine
from tests.assistant.analytics_log import write_log


@pytest.fixture
def logged(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'shop.db'}")
    write_log(engine)
    return engine, load_interactions(engine)


def test_inbox_collects_the_misunderstood_turns(logged):
    engine, interactions = logged
    items = collect(load_conversations(engine), interactions, confidence_threshold=0.5)
    got = {(i.text, i.reasons) for i in items}
    assert got == {
        ("running shoes under 100", ("guard_failure",)),
        ("where is it", ("low_confidence", "clarification")),
        ("i want a human", ("handoff",)),
        ("show me socks", ("dislike",)),
    }
    # a stricter threshold also catches "this is terrible" (0.8) and "running shoes under 100" (0.9)
    strict = {i.text: i.reasons for i in collect(load_conversations(engine), interactions, confidence_threshold=0.85)}
    assert strict["this is terrible"] == ("low_confidence",)
    assert "hi" not in strict


def test_label_round_trips_into_training_rows(logged, tmp_path):
    engine, interactions = logged
    todo = pending(engine)  # reads the interaction store itself
    assert len(todo) == 4 and todo == pending(engine, interactions=interactions)
    socks = next(i for i in todo if i.text == "show me socks")
    save_label(engine, socks, "search_products", [["product_type", "socks"]], reviewer="ann")
    assert [i.text for i in pending(engine, interactions=interactions)] == [
        "running shoes under 100", "where is it", "i want a human"]
    # relabelling replaces the earlier label
    save_label(engine, socks, "search_products", [["PRODUCT_TYPE", "socks"]], reviewer="bo")
    [label] = reviewed(engine)
    assert (label.intent, label.entities, label.predicted_intent, label.reviewer) == (
        "search_products", (("PRODUCT_TYPE", "socks"),), "search_products", "bo")
    assert label_spans(label) == ((8, 13, "PRODUCT_TYPE"),)
    out = tmp_path / "reviewed.jsonl"
    assert export_reviewed(engine, out) == 1
    rows = [json.loads(line) for line in out.read_text().splitlines()]
    assert rows == [{"text": "show me socks", "intent": "search_products", "entities": [["PRODUCT_TYPE", "socks"]]}]
    assert forget_user(engine, "carol") == 1 and reviewed(engine) == []


def test_reviewed_label_becomes_a_valid_nlu_training_example(logged):
    render = pytest.importorskip("training.nlu.render")
    data = pytest.importorskip("training.nlu.data")
    engine, interactions = logged
    where = next(i for i in pending(engine, interactions=interactions) if i.text == "where is it")
    label = save_label(engine, where, "order_status")
    ex = render.Example(label.text, label.intent, label_spans(label), source="reviewed")
    data.check_example(ex)
    shoes = next(i for i in pending(engine, interactions=interactions) if i.text.startswith("running"))
    label = save_label(engine, shoes, "search_products", [["PRODUCT_TYPE", "running shoes"], ["PRICE_MAX", "100"]])
    ex = render.Example(label.text, label.intent, label_spans(label), source="reviewed")
    data.check_example(ex)
    assert data.to_eval_record(ex)["entities"] == [["PRODUCT_TYPE", "running shoes"], ["PRICE_MAX", "100"]]


@pytest.mark.parametrize("intent,entities,message", [
    ("buy_stuff", [], "unknown intent"),
    ("search_products", [["COLOUR", "socks"]], "unknown entity type"),
    ("search_products", [["PRODUCT_TYPE", "shoes"]], "does not occur"),
    ("search_products", [["PRODUCT_TYPE", "socks"], ["COLOR", "socks"]], "no free occurrence"),
    ("search_products", ["socks"], "pair"),
])
def test_bad_labels_are_clear_errors(logged, intent, entities, message):
    engine, interactions = logged
    socks = next(i for i in pending(engine, interactions=interactions) if i.text == "show me socks")
    with pytest.raises(AnalyticsError, match=message):
        save_label(engine, socks, intent, entities)
    assert reviewed(engine) == []


def test_reviewed_label_changes_the_next_training_set(tmp_path):
    """`shopbot train nlu --with-reviewed` folds reviewer labels into the training split."""
    from assistant.settings import Settings
    from training.nlu.cli import REVIEWED_REPEATS, reviewed_examples

    settings = Settings(data_dir=tmp_path)
    engine = make_engine(settings.db_url)
    write_log(engine)
    assert reviewed_examples(settings) == []
    socks = next(i for i in pending(engine) if i.text == "show me socks")
    save_label(engine, socks, "search_products", [["PRODUCT_TYPE", "socks"]], reviewer="ann")
    added = reviewed_examples(settings)
    assert len(added) == REVIEWED_REPEATS
    assert {(e.text, e.intent, e.spans, e.source) for e in added} == {
        ("show me socks", "search_products", ((8, 13, "PRODUCT_TYPE"),), "reviewed")}
