"""`shopbot eval search --judgments FILE [--queries FILE] [--chat] [--json]`: search quality on your own judgements.

Retrieval level (always): dense, BM25 and hybrid over the whole catalog: nDCG@10, precision of Exact@10,
Recall@50. With ``--chat``: each query as the first chat turn of a new anonymous visitor through the
Assistant (no generation, a scratch database), scoring what the shopper is shown: nDCG of the shown list
beside plain dense and plain hybrid retrieval's nDCG at the same cut-off (the number shown): the layers above
retrieval must not do worse than the retrieval they start from; the zero-result rate and the non-search rate
(turns answered with anything but products).
"""

from __future__ import annotations

import json
import logging
import tempfile
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)
SEARCH_ACTIONS = ("search", "recommend")


def register(models) -> None:
    parser = models.add_parser("search", help="search quality on a judgement file (nDCG@10, Exact P@10, Recall@50)")
    parser.add_argument("--judgments", required=True, type=Path,
                        help="CSV: query, product id (product_id/id/asin/sku), label E/S/C/I or a numeric gain/grade")
    parser.add_argument("--queries", type=Path, help="CSV with a `query` column or one query a line (default: every judged query)")
    parser.add_argument("--chat", action="store_true", help="also send each query as a first chat turn (no generation)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    parser.set_defaults(func=run)


@dataclass(frozen=True)
class ChatScores:
    queries: int
    shown_ndcg: float  # nDCG of the shown list, cut-off = the number shown
    dense_ndcg_same_cutoff: float  # plain dense retrieval at the same cut-offs
    hybrid_ndcg_same_cutoff: float  # the hybrid retrieval the chat searches with, at the same cut-offs
    zero_result_rate: float
    non_search_rate: float
    mean_shown: float

    def as_dict(self) -> dict:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in self.__dict__.items()}


def _ranked(search, queries: list[str], k: int) -> dict[str, list[str]]:
    return {q: [h.product.id for h in search(q, k)] for q in queries}


def retrieval_runs(index, queries: list[str], k: int = 100) -> dict[str, dict[str, list[str]]]:
    """Ranked product ids per query for dense, BM25 and hybrid search over the whole catalog."""
    lexical = {}
    for q in queries:
        scores = index.lexical.scores(q)
        lexical[q] = sorted(scores, key=lambda pid: (-scores[pid], pid))[:k]
    return {"dense": _ranked(lambda q, n: index.dense.search(q, None, k=n), queries, k), "bm25": lexical,
            "hybrid": _ranked(lambda q, n: index.search(q, None, k=n), queries, k)}


def chat_scores(assistant, queries: list[str], judgments, dense_run: dict[str, list[str]],
                hybrid_run: dict[str, list[str]]) -> tuple[ChatScores, list[dict]]:
    from assistant.users import UserRef
    from retrieval.evaluation import ndcg

    shown, rows = {}, []
    for q in queries:
        user = UserRef.visitor().id
        turn = assistant.handle(assistant.new_session(user), user, q, generate=False)
        shown[q] = [c.product.id for c in turn.products]
        rows.append({"query": q, "action": turn.action.value, "shown": shown[q], "reply": turn.reply})
    by_cut: dict[int, list[str]] = {}
    for q in queries:
        by_cut.setdefault(max(1, len(shown[q])), []).append(q)
    ours, base, hybrid = {}, {}, {}
    for cut, qs in by_cut.items():
        ours.update(ndcg(shown, judgments, cut, qs))
        base.update(ndcg(dense_run, judgments, cut, qs))
        hybrid.update(ndcg(hybrid_run, judgments, cut, qs))
    n = len(queries)
    zero = sum(1 for r in rows if r["action"] in SEARCH_ACTIONS and not r["shown"]) / n
    non_search = sum(1 for r in rows if r["action"] not in SEARCH_ACTIONS) / n
    for r in rows:
        r["ndcg"], r["dense_ndcg"], r["hybrid_ndcg"] = (round(ours[r["query"]], 4), round(base[r["query"]], 4),
                                                        round(hybrid[r["query"]], 4))
    scores = ChatScores(n, sum(ours.values()) / n, sum(base.values()) / n, sum(hybrid.values()) / n, zero, non_search,
                        sum(len(v) for v in shown.values()) / n)
    return scores, rows


def _chat_assistant(settings, scratch: Path):
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime

    chat_settings = settings.model_copy(update={"database_url": f"sqlite:///{scratch / 'eval.db'}", "generate": False})
    return Assistant(build_runtime(chat_settings, generate=False))


def run(args, settings) -> int:
    from assistant.errors import UserError
    from retrieval.evaluation import JudgmentsError, load_judgments, load_queries, score
    from ui.cli.index import open_hybrid_index

    try:
        judgments = load_judgments(args.judgments)
        queries = load_queries(args.queries) if args.queries else judgments.queries
    except JudgmentsError as exc:
        raise UserError(str(exc)) from exc
    index = open_hybrid_index(settings)
    if index.count() == 0:
        raise UserError("the product index is empty; run `shopbot build` (or `shopbot index`) first")
    runs = retrieval_runs(index, queries)
    report: dict = {"retrieval": {name: score(run, judgments, queries).as_dict() for name, run in runs.items()}}
    if args.chat:
        with tempfile.TemporaryDirectory(prefix="shopbot-eval-") as scratch:
            bot = _chat_assistant(settings, Path(scratch))
            try:
                scores, rows = chat_scores(bot, queries, judgments, runs["dense"], runs["hybrid"])
            finally:
                bot.close()
        report["chat"], report["chat_turns"] = scores.as_dict(), rows
    _print(report, args.json)
    return 0


def _print(report: dict, as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=1))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title="search quality")
    for col in ("", "queries", "nDCG@10", "Exact P@10", "Recall@50"):
        table.add_column(col)
    for name, s in report["retrieval"].items():
        table.add_row(name, str(s["queries"]), f"{s['ndcg@10']:.4f}", f"{s['exact_p@10']:.4f}", f"{s['recall@50']:.4f}")
    console = Console()
    console.print(table)
    if "chat" in report:
        c = report["chat"]
        console.print(f"chat (first turn, no generation): shown nDCG {c['shown_ndcg']:.4f} vs dense / hybrid at the "
                      f"same cut-off {c['dense_ndcg_same_cutoff']:.4f} / {c['hybrid_ndcg_same_cutoff']:.4f}; zero-result rate {c['zero_result_rate']:.1%}; "
                      f"non-search rate {c['non_search_rate']:.1%}; products shown per turn {c['mean_shown']:.2f}")
