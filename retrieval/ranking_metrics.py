"""Ranking metrics on ranx (nDCG, recall, precision, hit rate at k) for ranked id lists. Part of the one
metrics module: import it as ``assistant.metrics.ranking_scores`` (it lives here because search
evaluation, in ``retrieval/``, sits below ``assistant/`` in the import layers)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence


def ranking_scores(ranked: Mapping[str, Sequence[str]], relevance: Mapping[str, Mapping[str, int]],
                   metrics: Sequence[str], *, per_query: bool = False) -> dict:
    """ranx metrics (e.g. ``ndcg@10``, ``ndcg_burges@10``, ``recall@50``, ``precision@10``, ``hit_rate@10``)
    of ranked id lists against graded relevance (integers > 0; anything unlisted is irrelevant), averaged
    over the queries of ``relevance`` (a query with no ranked ids scores 0). With ``per_query``:
    metric -> query -> score."""
    from ranx import Qrels, Run, evaluate

    queries = list(relevance)
    if not queries:
        raise ValueError("no queries to score")
    qrels = Qrels({q: ({d: int(g) for d, g in relevance[q].items() if g > 0} or {"__no_relevant__": 0}) for q in queries})
    # ranx needs scores and at least one document per query: rank i of n gets score n - i
    run = Run({q: ({d: float(len(ids) - i) for i, d in enumerate(ids)} if (ids := list(dict.fromkeys(ranked.get(q, ()))))
                   else {"__none__": 0.0}) for q in queries})
    result = evaluate(qrels, run, list(metrics), make_comparable=True)
    if per_query:
        return {m: {q: float(run.scores[m][q]) for q in queries} for m in metrics}
    if len(metrics) == 1:
        return {metrics[0]: float(result)}
    return {m: float(v) for m, v in result.items()}
