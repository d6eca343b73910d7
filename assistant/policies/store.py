"""Policy passages: the markdown files beside this module, split at ``##`` headings, indexed with the
project Embedder in the Chroma collection ``settings.policies_collection`` (explicit embeddings, never
Chroma's default embedding function). Re-indexing is idempotent: ids are stable and only changed
passages are re-embedded.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

POLICY_DIR = Path(__file__).resolve().parent
TOPIC_HINTS = {  # intent -> the document most questions of that intent are about (a retrieval prior)
    "shipping_info": "shipping", "payment_issue": "payment", "account_help": "account",
    "refund_status": "refunds", "return_item": "returns", "cancel_order": "orders",
}


@dataclass(frozen=True)
class PolicyPassage:
    id: str  # "<doc>#<n>"
    doc: str  # shipping, returns, ...
    title: str  # the section heading
    text: str

    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.title}\n{self.text}".encode()).hexdigest()[:16]


def load_passages(folder: Path = POLICY_DIR) -> list[PolicyPassage]:
    passages = []
    for path in sorted(folder.glob("*.md")):
        doc, title, lines, n = path.stem, "", [], 0
        for line in path.read_text(encoding="utf-8").splitlines() + ["## "]:
            if line.startswith("## "):
                body = " ".join(x.strip() for x in lines if x.strip())
                if title and body:
                    passages.append(PolicyPassage(f"{doc}#{n}", doc, title, body))
                    n += 1
                title, lines = line[3:].strip(), []
            elif not line.startswith("# "):
                lines.append(line)
    return passages


class PolicyStore:
    """Retrieves policy passages for a question (cosine similarity over MiniLM embeddings)."""

    def __init__(self, client, embedder, collection: str = "policies") -> None:
        self.embedder = embedder
        self._col = client.get_or_create_collection(
            name=collection, embedding_function=None, configuration={"hnsw": {"space": "cosine"}})

    def count(self) -> int:
        return int(self._col.count())

    def index(self, passages: list[PolicyPassage] | None = None) -> int:
        """Upsert changed passages, delete ones no longer shipped. Returns the number (re-)embedded."""
        passages = passages if passages is not None else load_passages()
        existing = self._col.get(include=["metadatas"])
        stored = {i: (m or {}).get("hash") for i, m in zip(existing["ids"], existing["metadatas"] or [])}
        stale = [p for p in passages if stored.get(p.id) != p.content_hash()]
        if stale:
            vectors = self.embedder.encode([f"{p.title}. {p.text}" for p in stale])
            self._col.upsert(ids=[p.id for p in stale], embeddings=[v.tolist() for v in vectors],
                             documents=[p.text for p in stale],
                             metadatas=[{"doc": p.doc, "title": p.title, "hash": p.content_hash()} for p in stale])
        gone = sorted(set(stored) - {p.id for p in passages})
        if gone:
            self._col.delete(ids=gone)
        log.info("policies: %d passages, %d embedded, %d removed", len(passages), len(stale), len(gone))
        return len(stale)

    def search(self, question: str, k: int = 2, intent: str | None = None) -> list[PolicyPassage]:
        """The ``k`` passages nearest the question; passages of the intent's document are preferred."""
        if self.count() == 0:
            self.index()
        vec = self.embedder.encode([question or intent or "policy"])[0]
        res = self._col.query(query_embeddings=[vec.tolist()], n_results=min(8, self.count()),
                              include=["documents", "metadatas", "distances"])
        hint = TOPIC_HINTS.get(intent or "")
        scored = []
        for pid, doc, meta, dist in zip(res["ids"][0], res["documents"][0], res["metadatas"][0], res["distances"][0]):
            sim = 1.0 - float(dist) + (0.15 if hint and meta.get("doc") == hint else 0.0)
            scored.append((sim, PolicyPassage(pid, meta.get("doc", ""), meta.get("title", ""), doc)))
        scored.sort(key=lambda x: -x[0])
        return [p for _, p in scored[:k]]


def open_policy_store(settings, embedder=None) -> PolicyStore:
    from retrieval.chroma_client import open_client
    from retrieval.embeddings import Embedder

    client = open_client(path=settings.chroma_path, url=settings.chroma_url)
    return PolicyStore(client, embedder or Embedder(settings.embedding_model), settings.policies_collection)


def build_policies(settings) -> None:
    """Build step "policies": index the shipped policy passages (only changed ones are re-embedded)."""
    open_policy_store(settings).index()
