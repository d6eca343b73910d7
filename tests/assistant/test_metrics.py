"""The one metrics module (assistant/metrics.py) and its users: one fixture through `shopbot eval nlu`'s
code path, the replay metrics and the bench summary gives the same numbers (issue 17 item 5)."""

from types import SimpleNamespace

import pytest

from assistant.metrics import (classification_scores, entity_value_scores, ranking_scores, span_scores,
                               token_f1)
from assistant.records import Entity, Parse
from bench.replay import summarise
from training.nlu.evaluate import evaluate_records
from ui.replay.checks import evaluate as turn_verdicts
from ui.replay.metrics import compute_metrics
from ui.replay.record import TurnRecord
from ui.replay.transcripts import parse_expect

# text, gold intent, gold entities (TYPE, surface as a person writes it), predicted intent, predicted (TYPE, value)
FIXTURE = [
    ("black nike shoes for women's", "search_products", [("COLOR", "black"), ("BRAND", "Nike"), ("AUDIENCE", "Women's")],
     "search_products", [("COLOR", "black"), ("BRAND", "nike"), ("AUDIENCE", "women")]),
    ("under $80", "refine_results", [("PRICE_MAX", "$80")], "refine_results", [("PRICE_MAX", "80")]),
    ("size 8 boots", "search_products", [("SIZE", "size 8"), ("PRODUCT_TYPE", "boots")], "search_products", [("SIZE", "8")]),
    ("where is order #10023", "order_status", [("ORDER_ID", "#10023")], "cancel_order",
     [("ORDER_ID", "10023"), ("QUANTITY", "1")]),
]
# by hand: 6 matched, 1 spurious (QUANTITY), 1 missed (PRODUCT_TYPE); 3 of 4 intents right
ENTITY_F1, INTENT_ACC = 6 / 7, 3 / 4


class FixedParser:
    def parse_batch(self, texts, **_):
        by_text = {t: Parse(t, pi, 0.9, tuple(Entity(ty, v, v, 0, 1) for ty, v in pe)) for t, _, _, pi, pe in FIXTURE}
        return [by_text[t] for t in texts]


def _records() -> list[TurnRecord]:
    out = []
    for i, (text, gi, ge, pi, pe) in enumerate(FIXTURE):
        values: dict[str, list[str]] = {}
        for ty, surface in ge:
            values.setdefault(ty, []).append(surface)
        expect = parse_expect({"intent": gi, "entities": values})
        rec = TurnRecord(key=f"k{i}", file="f", conversation_id=str(i), user_id="u", session_id="s", turn_index=0,
                         user_text=text, intent=pi, entities=tuple((ty, v, v) for ty, v in pe),
                         expected_intent=gi, expected_entities=expect.entities)
        out.append(TurnRecord(**{**rec.__dict__, "verdicts": turn_verdicts(expect, rec)}))
    return out


def test_eval_replay_and_bench_agree_on_one_fixture():
    rows = [{"text": t, "intent": gi, "entities": [list(e) for e in ge]} for t, gi, ge, _, _ in FIXTURE]
    cli = evaluate_records(FixedParser(), rows)
    replay = compute_metrics(_records(), None)
    bench = summarise(SimpleNamespace(records=_records(), catalog_size=None, resumed=0), None)
    assert cli["intent_accuracy"] == round(replay.intent_accuracy, 4) == round(bench["intent_accuracy"], 4) == 0.75
    assert cli["entity_f1"] == round(replay.entity_micro_f1, 4) == round(bench["entity_micro_f1"], 4) == round(ENTITY_F1, 4)
    assert (cli["entities_gold"], cli["entities_predicted"]) == (7, 7)
    assert dict(((e, p), n) for e, p, n in replay.confusion)[("order_status", "cancel_order")] == 1


def test_entity_value_scores_normalise_both_sides():
    s = entity_value_scores([[("PRICE_MAX", "80 bucks"), ("BRAND", "Nike")]], [[("PRICE_MAX", "$80"), ("BRAND", "adidas")]])
    assert (s.micro.tp, s.micro.fp, s.micro.fn) == (1, 1, 1)
    assert [(e.type, e.f1) for e in s.per_type] == [("BRAND", 0.0), ("PRICE_MAX", 1.0)]
    empty = entity_value_scores([[]], [[]])
    assert empty.micro.precision is None and empty.micro.f1 is None
    with pytest.raises(ValueError):
        entity_value_scores([[]], [])


def test_classification_scores():
    s = classification_scores(["a", "a", "b", "c"], ["a", "b", "b", "a"])
    assert s.accuracy == 0.5 and dict(s.per_label_f1) == pytest.approx({"a": 0.5, "b": 2 / 3, "c": 0.0})
    assert s.macro_f1 == pytest.approx((0.5 + 2 / 3) / 3)
    assert s.errors() == (("a", "b", 1), ("c", "a", 1)) and ("a", "a", 1) in s.confusion
    assert classification_scores([], []).accuracy is None


def test_span_and_token_scores():
    gold = [["B-BRAND", "I-BRAND", "O", "B-COLOR"]]
    pred = [["B-BRAND", "O", "O", "B-COLOR"]]  # the brand span is cut short: strict spans count it wrong
    s = span_scores(gold, pred)
    assert s.per_type["COLOR"]["f1-score"] == 1.0 and s.per_type["BRAND"]["f1-score"] == 0.0 and s.f1 == 0.5
    assert span_scores([["O"]], [["O"]]).f1 == 0.0
    assert token_f1([1, 2, 0, 3], [1, 0, 0, 3]) == pytest.approx(0.8) and token_f1([0], [0]) == 0.0


def test_ranking_scores():
    ranked = {"q1": ["a", "b", "c"], "q2": ["x", "y"], "q3": []}
    rel = {"q1": {"b": 1}, "q2": {"x": 2, "z": 1}, "q3": {"k": 1}}
    m = ranking_scores(ranked, rel, ["hit_rate@1", "recall@2"])
    assert m["hit_rate@1"] == pytest.approx(1 / 3) and m["recall@2"] == pytest.approx((1 + 0.5 + 0) / 3)
    per = ranking_scores(ranked, rel, ["ndcg@2"], per_query=True)["ndcg@2"]
    assert per["q1"] == pytest.approx(1 / 1.5849625, rel=1e-6) and per["q3"] == 0.0
