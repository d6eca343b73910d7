"""Search metrics on judgement files (ranx), and the judgement/query readers' errors."""

from __future__ import annotations

import math

import pytest

from retrieval.evaluation import JudgmentsError, load_judgments, load_queries, ndcg, score


def _write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_esci_labels_and_metrics(tmp_path):
    j = load_judgments(_write(tmp_path / "j.csv", "query,asin,esci_label\nmat,a,E\nmat,b,S\nmat,c,I\nmat,d,C\nbag,e,E\n"))
    assert j.gains["mat"] == {"a": 1.0, "b": 0.1, "c": 0.0, "d": 0.01} and j.exact["mat"] == frozenset({"a"})
    perfect = score({"mat": ["a", "b", "d"], "bag": ["e"]}, j)
    assert perfect.ndcg_at_10 == pytest.approx(1.0) and perfect.recall_at_50 == pytest.approx(1.0)
    assert perfect.exact_precision_at_10 == pytest.approx(0.1)  # one Exact product in ten places
    worst = score({"mat": ["c", "x"], "bag": []}, j)
    assert worst.ndcg_at_10 == 0.0 and worst.recall_at_50 == 0.0
    swapped = ndcg({"mat": ["b", "a"]}, j, 2, ["mat"])["mat"]
    ideal = 1.0 * 100 + 0.1 * 100 / math.log2(3)  # gains x100 as ranx stores them
    assert swapped == pytest.approx((0.1 * 100 + 1.0 * 100 / math.log2(3)) / ideal, rel=1e-3)
    per_query = ndcg({"mat": ["c"], "bag": ["e"]}, j, 10, ["mat", "bag"])  # ranx sorts queries: keep ours
    assert per_query == {"mat": 0.0, "bag": 1.0}


def test_numeric_gains_and_queries_file(tmp_path):
    j = load_judgments(_write(tmp_path / "g.csv", "query,product_id,grade\nmat,a,3\nmat,b,1\n"))
    assert j.gains["mat"] == {"a": 3.0, "b": 1.0} and j.exact["mat"] == frozenset({"a"})
    assert load_queries(_write(tmp_path / "q.csv", "query\nmat\nbag\nmat\n")) == ["mat", "bag"]
    assert load_queries(_write(tmp_path / "q.txt", "mat\n\nbag\n")) == ["mat", "bag"]


@pytest.mark.parametrize("text, message", [
    ("q,asin,label\nmat,a,E\n", "needs columns query"),
    ("query,asin,label\nmat,a,X\n", ":2: label 'X'"),
    ("query,asin,gain\nmat,a,-1\n", ":2: gain -1.0"),
    ("query,asin,gain\nmat,a,abc\n", "is not a number"),
    ("query,asin,gain\n,a,1\n", ":2: empty query"),
])
def test_bad_judgement_files_name_the_line(tmp_path, text, message):
    with pytest.raises(JudgmentsError, match=message):
        load_judgments(_write(tmp_path / "bad.csv", text))
