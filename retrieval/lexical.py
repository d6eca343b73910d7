"""Lexical product search: BM25 (``bm25s``) over each product's title, brand, type and text.

Tokens: lower-cased words and numbers (one-character tokens kept, so "1/2 inch" and "t towels" count),
English stems (PyStemmer), and model numbers indexed both split and joined ("wh-1000xm4" -> "wh",
"1000xm4", "wh1000xm4"). The title, brand and product type are repeated so that a match there weighs
more than one in the description.

Typos: a query token the catalog never uses is replaced by the closest catalog token within a small
edit distance (``rapidfuzz``), so "purpel" finds "purple" and "yoga mta" finds "mat".
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import Stemmer
from rapidfuzz import fuzz, process
from rapidfuzz.distance import Levenshtein

from retrieval.bm25s_import import import_bm25s
from retrieval.product import Product

bm25s = import_bm25s()  # without numba (~60 MB less resident); same scores

log = logging.getLogger(__name__)

_WORD = re.compile(r"[a-z0-9]+(?:[-./][a-z0-9]+)*")
_SPLIT = re.compile(r"[-./]")
STOPWORDS = frozenset(
    "a an and are as at be but by for from has have i if in into is it its me my of on or our show "
    "so than that the their them then there these they this those to us want was we were what when which "
    "with would you your please find looking need some any".split()
)
TITLE_WEIGHT = 3  # title + brand + type repeated this many times


def _max_edits(token: str) -> int:
    return 0 if len(token) < 4 or token.isdigit() else (1 if len(token) < 7 else 2)


@dataclass(frozen=True)
class LexicalMatch:
    """The lexical score of every product for one query, and the query tokens actually used."""

    scores: np.ndarray  # aligned with LexicalIndex.ids
    tokens: tuple[str, ...]
    corrected: tuple[tuple[str, str], ...] = ()  # (typed, catalog word)


class Tokenizer:
    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")

    def words(self, text: str) -> list[str]:
        """Lower-cased words without stop words; model numbers also split and joined."""
        out: list[str] = []
        for raw in _WORD.findall((text or "").lower()):
            parts = [p for p in _SPLIT.split(raw) if p]
            if len(parts) > 1:
                out.extend(parts)
                if any(c.isdigit() for c in raw):
                    out.append("".join(parts))
            else:
                out.append(raw)
        return [w for w in out if w not in STOPWORDS]

    def stems(self, words: Sequence[str]) -> list[str]:
        return self._stemmer.stemWords(list(words))


def product_text(p: Product) -> str:
    head = " ".join(x for x in (p.title, p.brand, p.product_type) if x)
    body = " ".join(x for x in (p.description, " ".join(p.features), " ".join(p.colors), p.material or "") if x)
    return " ".join([head] * TITLE_WEIGHT + [body])


class LexicalIndex:
    """BM25 over a fixed list of products (rebuilt when the catalog changes; 7k products take ~2 s)."""

    def __init__(self, ids: Sequence[str], retriever: bm25s.BM25 | None, vocab: Sequence[str], tokenizer: Tokenizer) -> None:
        self.ids = tuple(ids)
        self._retriever = retriever
        self._vocab = list(vocab)
        self._known = frozenset(vocab)
        self._tok = tokenizer

    @classmethod
    def build(cls, products: Iterable[Product]) -> "LexicalIndex":
        tok = Tokenizer()
        products = list(products)
        corpus = [tok.stems(tok.words(product_text(p))) or ["_"] for p in products]
        if not corpus:  # an empty catalog: nothing matches
            return cls([], None, [], tok)
        retriever = bm25s.BM25(k1=1.2, b=0.75)
        retriever.index(corpus, show_progress=False)
        vocab = sorted({w for doc in corpus for w in doc})
        return cls([p.id for p in products], retriever, vocab, tok)

    def words(self, text: str) -> list[str]:
        return self._tok.words(text)

    def __len__(self) -> int:
        return len(self.ids)

    def correct(self, stem: str) -> str | None:
        """The catalog token closest to an unknown ``stem`` (None when none is close enough)."""
        limit = _max_edits(stem)
        if limit == 0:
            return None
        best = process.extractOne(stem, self._vocab, scorer=Levenshtein.distance, score_cutoff=limit)
        if best is None:
            return None
        # prefer a candidate sharing the first letter (typos rarely hit it)
        return best[0] if best[0][:1] == stem[:1] or fuzz.ratio(best[0], stem) >= 80 else None

    def query_tokens(self, text: str) -> tuple[list[str], list[tuple[str, str]]]:
        words = self._tok.words(text)
        stems = self._tok.stems(words)
        tokens, corrected = [], []
        for word, stem in zip(words, stems):
            if stem in self._known:
                tokens.append(stem)
                continue
            fixed = self.correct(stem)
            if fixed is not None:
                tokens.append(fixed)
                corrected.append((word, fixed))
        return tokens, corrected

    def match(self, text: str) -> LexicalMatch:
        tokens, corrected = self.query_tokens(text)
        if not tokens or not self.ids:
            return LexicalMatch(np.zeros(len(self.ids), dtype=np.float32), tuple(tokens), tuple(corrected))
        scores = np.asarray(self._retriever.get_scores(tokens), dtype=np.float32)
        return LexicalMatch(scores, tuple(tokens), tuple(corrected))

    def best_cover(self, text: str, *, typos: bool = True) -> float:
        """The largest share of the query's words that one product contains (0 when none is known);
        ``typos=False`` counts only words spelled as the catalog spells them."""
        words = self._tok.words(text)
        tokens, corrected = self.query_tokens(text)
        if not typos:
            fixed = {c for _, c in corrected}
            tokens = [t for t in tokens if t not in fixed]
        tokens = list(dict.fromkeys(tokens))
        if not words or not tokens or not self.ids:
            return 0.0
        hits = np.zeros(len(self.ids), dtype=np.int32)
        for t in tokens:
            hits += np.asarray(self._retriever.get_scores([t]), dtype=np.float32) > 0
        return float(hits.max()) / len(dict.fromkeys(words))

    def scores(self, text: str) -> dict[str, float]:
        """id -> BM25 score of every product with a non-zero score."""
        m = self.match(text)
        nz = np.nonzero(m.scores)[0]
        return {self.ids[i]: float(m.scores[i]) for i in nz}
