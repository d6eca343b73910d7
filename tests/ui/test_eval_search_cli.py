"""`shopbot eval search` end to end through the CLI: retrieval-level scores, and with ``--chat`` each query as a
first chat turn, scored beside dense and hybrid retrieval at the same cut-off (real Chroma, real models)."""

from __future__ import annotations

import csv
import json

from retrieval.catalog.io import save_catalog


def _judgments(path, products) -> list[str]:
    """Each of three product types as a query: its products Exact, two others Irrelevant."""
    types = sorted({p.product_type for p in products})[:3]
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["query", "product_id", "esci_label"])
        for t in types:
            for p in products:
                w.writerow([t, p.id, "E" if p.product_type == t else "I"])
    return types


def test_eval_search_scores_retrieval_and_the_chat_against_both_baselines(cli, settings, catalog, capsys, tmp_path):
    products = catalog[:80]
    save_catalog(products, settings.catalog_path)
    assert cli("index", "--no-progress") == 0
    capsys.readouterr()
    types = _judgments(tmp_path / "judged.csv", products)
    assert cli("eval", "search", "--judgments", str(tmp_path / "judged.csv"), "--chat", "--json") == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["retrieval"]) == {"dense", "bm25", "hybrid"}
    assert all(s["queries"] == 3 and 0 < s["ndcg@10"] <= 1 for s in report["retrieval"].values())
    chat = report["chat"]
    assert chat["queries"] == 3 and chat["zero_result_rate"] == 0 and chat["mean_shown"] > 0
    assert 0 < chat["hybrid_ndcg_same_cutoff"] <= 1 and 0 < chat["dense_ndcg_same_cutoff"] <= 1
    assert chat["shown_ndcg"] >= 0.8  # a type named as the whole query: the shown products are of that type
    # two of the three types are sold out in this slice: shown, and said, not swapped for other products in stock
    assert sum("out of stock right now" in r["reply"] for r in report["chat_turns"]) == 2
    assert [r["query"] for r in report["chat_turns"]] == types
    assert all({"ndcg", "dense_ndcg", "hybrid_ndcg", "shown"} <= set(r) for r in report["chat_turns"])


def test_eval_search_bad_judgments_are_one_clear_line(cli, settings, catalog, capsys, tmp_path):
    save_catalog(catalog[:20], settings.catalog_path)
    assert cli("index", "--no-progress") == 0
    capsys.readouterr()
    bad = tmp_path / "bad.csv"
    bad.write_text("query,product_id,esci_label\nboots,P00001,Q\n", encoding="utf-8")
    assert cli("eval", "search", "--judgments", str(bad)) == 2
    err = capsys.readouterr().err
    assert "bad.csv" in err and "Traceback" not in err

