"""Policy passages: shipped markdown, idempotent indexing in their own collection, retrieval by topic."""

from __future__ import annotations

from assistant.policies.store import PolicyStore, load_passages
from retrieval.chroma_client import open_client


def test_passages_cover_the_topics():
    docs = {p.doc for p in load_passages()}
    assert {"shipping", "returns", "refunds", "payment", "account", "privacy", "orders"} <= docs
    assert all(p.text and p.title for p in load_passages())


def test_index_is_idempotent_and_retrieves_by_topic(tmp_path, embedder):
    client = open_client(tmp_path / "chroma")
    store = PolicyStore(client, embedder, "policies")
    n = store.index()
    assert n == len(load_passages()) and store.index() == 0 and store.count() == n
    assert "products" not in [c.name for c in client.list_collections()]
    cases = {"how much does express shipping cost": "shipping", "do you take paypal": "payment",
             "how do I reset my password": "account", "when will I get my money back": "refunds",
             "how many days do I have to send something back": "returns"}
    for question, doc in cases.items():
        assert store.search(question, k=1)[0].doc == doc, question
