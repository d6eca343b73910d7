"""``--format esci``: the esci-shop products file (Amazon ESCI-S product JSONL) as it is.

Mapping (one JSON object a line):
  asin          -> id
  title         -> title
  description   -> description, HTML stripped to text; then each of ``bullet_points`` (newline
                   separated) on its own line, prefixed "- " (bullets are folded into the description)
  brand         -> brand
  color         -> colors (one entry, as written: "Navy Blue/White"; families derived for matching)
  price         -> price (null -> None: "price not listed", never passes a price filter)
  category      -> root->leaf breadcrumb list: category = root node, product_type = leaf lowercased,
                   audience from an audience node (see ``retrieval.catalog.breadcrumbs``); with no
                   breadcrumb the type is the longest breadcrumb leaf of this same file found in the title,
                   else the title's first segment's last word, else "other"
  rating        -> rating (null -> 0)
  rating_count  -> review_count (null -> 0)
  is_book, image, esci_query_ids and any other key are ignored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from retrieval.catalog.breadcrumbs import leaf_type, place, split_path
from retrieval.catalog.html import html_to_text, tidy
from retrieval.catalog.io import LoadResult, RowError, RowProblem, collect, iter_jsonl, read_lines, text_value


def fold_description(description: Any, bullets: Any) -> str:
    """The description as text, then one "- bullet" line per bullet point."""
    text = html_to_text(text_value(description))
    if isinstance(bullets, (list, tuple)):
        items = [html_to_text(text_value(b)) for b in bullets]
    else:
        items = [html_to_text(line) for line in text_value(bullets).splitlines()]
    lines = [f"- {item}" for item in items if item]
    return tidy("\n".join([text, *lines]))


def _record(raw: dict[str, Any], known_types: frozenset[str]) -> dict[str, Any]:
    if not isinstance(raw.get("category", []), (list, tuple, str, type(None))):
        raise RowProblem(f"category {raw.get('category')!r} is not a breadcrumb list")
    where = place(raw.get("category"), text_value(raw.get("title")), known_types)
    color = text_value(raw.get("color"))
    return {
        "id": raw.get("asin"), "title": raw.get("title"),
        "description": fold_description(raw.get("description"), raw.get("bullet_points")),
        "brand": raw.get("brand"), "colors": [color] if color else [], "price": raw.get("price"),
        "category": where.category, "product_type": where.product_type, "audience": where.audience,
        "rating": raw.get("rating"), "review_count": raw.get("rating_count"),
    }


def read_esci(path: Path) -> LoadResult:
    """Every product of an esci-shop products.jsonl, and every bad line."""
    errors: list[RowError] = []
    lines, bad = read_lines(path, errors)
    rows = list(iter_jsonl(path, lines, bad, errors))
    known = frozenset(leaf_type(split_path(raw.get("category"))) for _, raw in rows
                      if isinstance(raw.get("category"), list) and raw.get("category"))
    return collect(path, rows, lambda raw: _record(raw, known), errors)
