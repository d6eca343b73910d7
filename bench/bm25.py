"""Okapi BM25 over product texts: the plain lexical baseline of bench/retrieval_quality.py (search itself
uses ``bm25s``, retrieval/lexical.py)."""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

import numpy as np

TOKEN = re.compile(r"[a-z0-9]+")
STOPWORDS = frozenset("a an and the for of to in on with my me i is it that this at by from or your you".split())


def tokenize(text: str) -> list[str]:
    """Lowercase word tokens without stopwords, with a light plural strip ("boots" -> "boot")."""
    out = []
    for tok in TOKEN.findall(text.lower()):
        if tok in STOPWORDS:
            continue
        if len(tok) > 3 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok)
    return out


class BM25:
    """``BM25(docs).search(query, k)`` -> [(doc index, score)], best first (ties by index)."""

    def __init__(self, docs: list[str], *, k1: float = 1.2, b: float = 0.75) -> None:
        self.k1, self.b = k1, b
        self.n = len(docs)
        postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        lengths = np.zeros(self.n, dtype=np.float32)
        for i, doc in enumerate(docs):
            counts = Counter(tokenize(doc))
            lengths[i] = sum(counts.values())
            for term, tf in counts.items():
                postings[term].append((i, tf))
        avg = float(lengths.mean()) if self.n else 1.0
        self._norm = k1 * (1 - b + b * lengths / max(avg, 1e-9))
        self._postings = {
            t: (np.array([i for i, _ in p], dtype=np.int64), np.array([tf for _, tf in p], dtype=np.float32))
            for t, p in postings.items()
        }
        self._idf = {t: math.log(1 + (self.n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in postings.items()}

    def scores(self, query: str) -> np.ndarray:
        scores = np.zeros(self.n, dtype=np.float32)
        for term in set(tokenize(query)):
            if term not in self._postings:
                continue
            ids, tf = self._postings[term]
            scores[ids] += self._idf[term] * tf * (self.k1 + 1) / (tf + self._norm[ids])
        return scores

    def search(self, query: str, k: int = 50) -> list[tuple[int, float]]:
        scores = self.scores(query)
        nonzero = np.flatnonzero(scores > 0)
        order = nonzero[np.lexsort((nonzero, -scores[nonzero]))][:k]
        return [(int(i), float(scores[i])) for i in order]
