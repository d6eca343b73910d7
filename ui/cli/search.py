"""`shopbot search "waterproof hiking boots" --max-price 120 --brand X [--json]`: filtered hybrid (dense + BM25)
product search, as a table or JSON."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser("search", help="search the product index with optional hard filters")
    parser.add_argument("query", nargs="?", default="", help="free text (empty: rank by filters only)")
    parser.add_argument("--min-price", type=float)
    parser.add_argument("--max-price", type=float)
    parser.add_argument("--brand", action="append", default=[], help="repeatable; any of them matches")
    parser.add_argument("--category")
    parser.add_argument("--type", dest="product_type", help="product type, e.g. 'hiking boots'")
    parser.add_argument("--color", action="append", default=[], help="repeatable; any of them matches")
    parser.add_argument("--in-stock", action="store_true", help="only products in stock")
    parser.add_argument("-k", type=int, default=10, help="number of results (default 10)")
    parser.add_argument("--json", action="store_true", help="print the results as JSON (id, score, product)")
    parser.set_defaults(func=run)


def filters_from_args(args):
    from retrieval.records import SearchFilters
    from assistant.errors import UserError

    for name in ("min_price", "max_price"):
        value = getattr(args, name)
        if value is not None and value < 0:
            raise UserError(f"--{name.replace('_', '-')} must not be negative")
    if args.min_price is not None and args.max_price is not None and args.min_price > args.max_price:
        raise UserError("--min-price is above --max-price")
    if args.k <= 0:
        raise UserError("-k must be a positive number")
    return SearchFilters(
        category=args.category or None,
        product_type=args.product_type or None,
        brands=tuple(args.brand),
        colors=tuple(args.color),
        min_price=args.min_price,
        max_price=args.max_price,
        in_stock=True if args.in_stock else None,
    )


def render(hits, query: str) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console()
    if not console.is_terminal:
        console = Console(width=160)
    table = Table(title=f"{len(hits)} result(s) for {query!r}" if query else f"{len(hits)} result(s)")
    for col in ("#", "id", "title", "brand", "type", "price", "colors", "stock", "rating", "score"):
        table.add_column(col, justify="right" if col in ("#", "price", "rating", "score") else "left")
    for rank, hit in enumerate(hits, 1):
        p = hit.product
        table.add_row(
            str(rank), p.id, p.title, p.brand, p.product_type, f"{p.price:.2f} {p.currency}" if p.price is not None else p.price_text,
            ", ".join(p.colors), "yes" if p.in_stock else "no", f"{p.rating:.1f}", f"{hit.relevance:.3f}",
        )
    console.print(table)


def as_json(hits, query: str) -> str:
    import json

    return json.dumps({"query": query, "results": [
        {"rank": i, "id": h.product.id, "score": round(h.relevance, 4), "product": h.product.to_dict()}
        for i, h in enumerate(hits, 1)]}, ensure_ascii=False, indent=1)


def run(args, settings) -> int:
    from ui.cli.index import open_hybrid_index
    from assistant.errors import UserError

    filters = filters_from_args(args)
    index = open_hybrid_index(settings)
    if index.count() == 0:
        raise UserError("the product index is empty; run `shopbot build` (or `shopbot index`) first")
    hits = index.search(args.query, filters, k=args.k)
    if args.json:
        print(as_json(hits, args.query))
    else:
        render(hits, args.query)
    return 0
