"""``--format gmc``: a Google Merchant Center product feed (tab-separated, header row of attribute names).

Mapping (attribute names are matched case-insensitively; the ``g:`` prefix is allowed):
  id                       -> id
  title                    -> title
  description              -> description (HTML stripped to text)
  price ("19.99 USD")      -> price + currency; ``sale_price`` wins when given; empty -> None ("price not listed")
  availability             -> in_stock ("in stock", "preorder", "backorder" -> true; "out of stock" -> false)
  brand                    -> brand
  product_type ("Home > Kitchen > Towels") -> category = root node, product_type = leaf lowercased
                              (``google_product_category`` when there is no product_type; a numeric
                              category id is ignored; with neither, the type comes from the title)
  color ("Navy/White")     -> colors (one entry, as written)
  size                     -> sizes; material -> material
  gender, age_group        -> audience (age_group kids/toddler/infant/newborn -> kids; else gender
                              male -> men, female -> women, unisex -> unisex)
  link, image_link, gtin, mpn, item_group_id, shipping, ... are ignored (each variant is its own item).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from retrieval.catalog.breadcrumbs import place
from retrieval.catalog.html import html_to_text
from retrieval.catalog.io import (CatalogError, LoadResult, RowError, RowProblem, collect, iter_csv, parse_price,
                                  read_lines, text_value)

REQUIRED_COLUMNS = ("id", "title", "price")
_AVAILABILITY = {"in stock": True, "in_stock": True, "preorder": True, "backorder": True,
                 "out of stock": False, "out_of_stock": False}
_KIDS = {"kids", "toddler", "infant", "newborn"}
_GENDER = {"male": "men", "female": "women", "unisex": "unisex"}
_PRICE = re.compile(r"^\s*(?P<amount>[^\sA-Za-z]+)\s*(?P<currency>[A-Za-z]{3})?\s*$")


def parse_gmc_price(value: Any) -> tuple[float | None, str | None]:
    """("19.99 USD") -> (19.99, "USD"); "" -> (None, None); raises RowProblem when it is not a price."""
    text = text_value(value)
    if not text:
        return None, None
    match = _PRICE.match(text)
    if not match:
        raise RowProblem(f"price {text!r} is not like '19.99 USD'")
    currency = match["currency"].upper() if match["currency"] else None
    return parse_price(match["amount"]), currency


def _audience(row: dict[str, str]) -> str | None:
    if row.get("age_group", "").strip().lower() in _KIDS:
        return "kids"
    return _GENDER.get(row.get("gender", "").strip().lower())


def _record(raw: dict[str, str]) -> dict[str, Any]:
    row = {k.lower().removeprefix("g:"): v for k, v in raw.items()}
    price, currency = parse_gmc_price(row.get("price"))
    sale, sale_currency = parse_gmc_price(row.get("sale_price"))
    availability = row.get("availability", "").strip().lower()
    if availability and availability not in _AVAILABILITY:
        raise RowProblem(f"availability {availability!r} is not one of {', '.join(sorted(set(_AVAILABILITY)))}")
    path = row.get("product_type", "").strip()
    google = row.get("google_product_category", "").strip()
    if not path and google and not google.isdigit():
        path = google
    where = place(path, text_value(row.get("title")))
    color, size = text_value(row.get("color")), text_value(row.get("size"))
    return {
        "id": row.get("id"), "title": row.get("title"), "description": html_to_text(row.get("description")),
        "brand": row.get("brand"), "price": sale if sale is not None else price,
        "currency": (sale_currency if sale is not None else currency) or "USD",
        "in_stock": _AVAILABILITY.get(availability, True), "category": where.category,
        "product_type": where.product_type, "colors": [color] if color else [], "sizes": [size] if size else [],
        "material": row.get("material"), "audience": _audience(row),
    }


def read_gmc(path: Path) -> LoadResult:
    """Every product of a Merchant Center TSV feed, and every bad row."""
    errors: list[RowError] = []
    lines, bad = read_lines(path, errors)
    header = {h.strip().lower().removeprefix("g:") for h in lines[0].rstrip("\r\n").split("\t")}
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError([RowError(str(path), 1, f"not a Merchant Center feed: missing column(s) {', '.join(missing)}")],
                           hint="a GMC feed is tab-separated with a header row (id, title, price, ...)")
    return collect(path, iter_csv(path, lines, bad, errors, delimiter="\t"), _record, errors)
