"""Search quality on a store owner's own judgements (``shopbot eval search``), scored with ``ranx``.

Judgements: a CSV with a ``query`` column, a product id column (``product_id``, ``id``, ``asin`` or
``sku``) and either a ``label`` / ``esci_label`` column (E/S/C/I, gains as in the ESCI paper: E 1.0,
S 0.1, C 0.01, I 0) or a numeric ``gain`` / ``grade`` column. Queries: a CSV with a ``query`` column
(or a text file, one query a line); every judged query is used when no queries file is given.

A product not judged for a query counts as irrelevant (the whole catalog is searched).
Metrics: nDCG@10 (graded gains), precision of Exact@10 (only E, or the top grade, counts), Recall@50
(products with at least a Substitute's gain count as relevant).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from retrieval.ranking_metrics import ranking_scores

ESCI_GAINS = {"E": 1.0, "S": 0.1, "C": 0.01, "I": 0.0}
ID_COLUMNS = ("product_id", "id", "asin", "sku")
LABEL_COLUMNS = ("label", "esci_label")
GAIN_COLUMNS = ("gain", "grade")
SCALE = 100  # ranx wants integer relevance: gains are stored x100


class JudgmentsError(ValueError):
    """The judgement or query file cannot be read; the message names the file and line."""


@dataclass(frozen=True)
class Judgments:
    gains: Mapping[str, Mapping[str, float]]  # query -> product id -> gain
    exact: Mapping[str, frozenset[str]]  # query -> products with the top label (E, or the top grade)

    @property
    def queries(self) -> list[str]:
        return sorted(self.gains)


def _pick(header: Sequence[str], names: Sequence[str]) -> str | None:
    low = {h.strip().lower(): h for h in header}
    return next((low[n] for n in names if n in low), None)


def _gain(row: dict, label_col: str | None, gain_col: str | None, where: str) -> float:
    if label_col is not None and (row.get(label_col) or "").strip():
        label = row[label_col].strip().upper()
        if label not in ESCI_GAINS:
            raise JudgmentsError(f"{where}: label {row[label_col]!r} is not one of E, S, C, I")
        return ESCI_GAINS[label]
    try:
        value = float(row.get(gain_col) or "")
    except ValueError:
        raise JudgmentsError(f"{where}: gain {row.get(gain_col)!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise JudgmentsError(f"{where}: gain {value} must be a finite number >= 0")
    return value


def load_judgments(path: Path) -> Judgments:
    path = Path(path)
    try:
        with path.open(newline="", encoding="utf-8") as fh:
            reader = csv.DictReader(fh)
            header = reader.fieldnames or []
            q_col, id_col = _pick(header, ("query",)), _pick(header, ID_COLUMNS)
            label_col, gain_col = _pick(header, LABEL_COLUMNS), _pick(header, GAIN_COLUMNS)
            if q_col is None or id_col is None or (label_col is None and gain_col is None):
                raise JudgmentsError(f"{path}:1: needs columns query, one of {'/'.join(ID_COLUMNS)} and a label "
                                     f"(E/S/C/I) or gain column; found {', '.join(header) or 'none'}")
            gains: dict[str, dict[str, float]] = {}
            for line, row in enumerate(reader, start=2):
                query, pid = (row.get(q_col) or "").strip(), (row.get(id_col) or "").strip()
                if not query or not pid:
                    raise JudgmentsError(f"{path}:{line}: empty query or product id")
                gains.setdefault(query, {})[pid] = _gain(row, label_col, gain_col, f"{path}:{line}")
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise JudgmentsError(f"{path}: {exc}") from None
    if not gains:
        raise JudgmentsError(f"{path}: no judgements")
    top = max(g for q in gains.values() for g in q.values())
    exact = {q: frozenset(p for p, g in d.items() if g >= top and g > 0) for q, d in gains.items()}
    return Judgments(gains, exact)


def load_queries(path: Path) -> list[str]:
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise JudgmentsError(f"{path}: {exc}") from None
    lines = text.splitlines()
    if lines and lines[0].strip().lower() == "query":
        rows = list(csv.DictReader(lines))
        queries = [(r.get("query") or "").strip() for r in rows]
    else:
        queries = [line.strip() for line in lines]
    queries = list(dict.fromkeys(q for q in queries if q))
    if not queries:
        raise JudgmentsError(f"{path}: no queries")
    return queries


@dataclass(frozen=True)
class SearchScores:
    queries: int
    ndcg_at_10: float
    exact_precision_at_10: float
    recall_at_50: float

    def as_dict(self) -> dict[str, float]:
        return {"queries": self.queries, "ndcg@10": round(self.ndcg_at_10, 4),
                "exact_p@10": round(self.exact_precision_at_10, 4), "recall@50": round(self.recall_at_50, 4)}


def ndcg(ranked: Mapping[str, Sequence[str]], judgments: Judgments, cutoff: int,
         queries: Sequence[str] | None = None) -> dict[str, float]:
    """Per-query nDCG@cutoff of ranked id lists (graded gains; unjudged = irrelevant)."""
    queries = list(queries or judgments.queries)
    graded = {q: {p: round(g * SCALE) for p, g in judgments.gains.get(q, {}).items() if g > 0} for q in queries}
    metric = f"ndcg@{cutoff}"
    return ranking_scores(ranked, graded, [metric], per_query=True)[metric]


def score(ranked: Mapping[str, Sequence[str]], judgments: Judgments, queries: Sequence[str] | None = None) -> SearchScores:
    """nDCG@10, precision of Exact@10 and Recall@50 of ranked id lists, averaged over the queries."""
    queries = list(queries or judgments.queries)
    graded = {q: {p: round(g * SCALE) for p, g in judgments.gains.get(q, {}).items() if g > 0} for q in queries}
    exact = {q: {p: 1 for p in judgments.exact.get(q, ())} for q in queries}
    useful = {q: {p: 1 for p, g in judgments.gains.get(q, {}).items() if g >= ESCI_GAINS["S"]} for q in queries}
    n = ranking_scores(ranked, graded, ["ndcg@10"])["ndcg@10"]
    p = ranking_scores(ranked, exact, ["precision@10"])["precision@10"]
    r = ranking_scores(ranked, useful, ["recall@50"])["recall@50"]
    return SearchScores(len(queries), n, p, r)
