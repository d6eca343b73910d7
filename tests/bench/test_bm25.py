"""The plain BM25 baseline of the retrieval bench (bench/bm25.py)."""

from bench.bm25 import BM25, tokenize

DOCS = ["Waterproof hiking boots in brown leather", "Light running shoes, blue mesh",
        "Insulated mug keeps coffee hot", "Kids boots for rainy days", "Running shoes running shoes trail"]


def test_bm25_ranks_by_term_rarity_and_frequency():
    bm25 = BM25(DOCS)
    assert [i for i, _ in bm25.search("hiking boots")] == [0, 3]  # 'hiking' is rarer than 'boots'
    assert bm25.search("running shoe")[0][0] == 4  # repeated terms, plural folded
    assert bm25.search("the of and") == [] and bm25.search("zebra") == []
    assert tokenize("The Boots, for KIDS!") == ["boot", "kid"]
    scores = [s for _, s in bm25.search("coffee mug hot", k=5)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 1
