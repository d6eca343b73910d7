"""bench.nlu_errors sorts each gold PRODUCT_TYPE span into one error kind and measures QueryNER's own boundaries."""

from bench.nlu_errors import boundary_consistency, breakdown, error_kinds, spans_of
from training.nlu.queryner import QueryNerRow

PT = ("B-PRODUCT_TYPE", "I-PRODUCT_TYPE")


def test_spans_of_reads_bio_and_a_stray_inside_tag():
    assert spans_of(["O", *PT, "B-BRAND", "I-PRODUCT_TYPE"]) == [(1, 3), (4, 5)]
    assert spans_of(["B-BRAND", "O"]) == []


def test_each_gold_span_gets_one_kind():
    gold = ["O", *PT]  # "egg cooking pan": gold "cooking pan"
    assert error_kinds(gold, gold) == {"exact": 1}
    assert error_kinds(gold, ["B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "I-PRODUCT_TYPE"]) == {"longer": 1}
    assert error_kinds(gold, ["O", "O", "B-PRODUCT_TYPE"]) == {"shorter": 1}
    assert error_kinds(gold, [*PT, "O"]) == {"crossing": 1}
    assert error_kinds(gold, ["O", "O", "O"]) == {"missed": 1}
    assert error_kinds(["O", "O", "O"], ["B-PRODUCT_TYPE", "O", "O"]) == {"spurious": 1}


def test_breakdown_adds_up_over_queries():
    gold = [["O", *PT], ["B-PRODUCT_TYPE"]]
    pred = [["O", *PT], ["O"]]
    assert breakdown(gold, pred) == {"exact": 1, "longer": 0, "shorter": 0, "crossing": 0, "missed": 1, "spurious": 0}


def _row(text: str, labels: str) -> QueryNerRow:
    return QueryNerRow(tokens=text.split(), labels=labels.split())


def test_boundary_consistency_counts_the_majority_per_word_pair():
    rows = [_row("booster seat", "B-core_product_type I-core_product_type")] * 3 + [
        _row("booster seat", "B-modifier B-core_product_type"),
        _row("red chair", "B-color B-core_product_type")]  # ("red", "chair") is seen once: not counted
    c = boundary_consistency(rows)
    assert (c["decisions"], c["pairs"], c["majority_agreement"]) == (4, 1, 0.75)
    assert c["most_seen_both_ways"] == [{"pair": "booster seat", "inside": 3, "seen": 4}]
