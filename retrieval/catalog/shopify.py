"""``--format shopify``: a Shopify product CSV export, variant rows folded into one product per Handle.

A Shopify export has one row per variant (and per extra image); the rows of a product share its
``Handle`` and only the first carries Title, Body (HTML), Vendor, Type, Tags. Mapping:
  Handle                         -> id
  Title                          -> title (from the first row of the Handle)
  Body (HTML)                    -> description, HTML stripped to text
  Vendor                         -> brand
  Product Category ("Apparel & Accessories > Clothing > Shirts & Tops") -> category = root node;
                                    product_type = ``Type`` lowercased when given, else the category's leaf
                                    (with neither, the type comes from the title)
  Tags ("cotton, summer")        -> features
  OptionN Name / OptionN Value   -> colors (option named Color/Colour), sizes (Size), material (Material),
                                    the values of every variant, in order, without repeats
  Variant Price                  -> price: the lowest variant price (empty everywhere -> None, "price not listed")
  Variant Inventory Qty          -> in_stock: some variant has quantity > 0 (true when the column is empty)
  Variant SKU, Image Src and the other columns are ignored.
Problems: a variant row whose Handle has no product row before it, a second product row (with a
Title) for a Handle, a bad Variant Price or quantity (reported on that variant's line), a missing Handle.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any, Iterator

from retrieval.catalog.breadcrumbs import place
from retrieval.catalog.html import html_to_text
from retrieval.catalog.io import (CatalogError, LoadResult, RowError, RowProblem, collect, iter_csv, parse_price,
                                  read_lines, text_value)

REQUIRED_COLUMNS = ("Handle", "Title")
_OPTION_FIELDS = {"color": "colors", "colour": "colors", "size": "sizes", "material": "material"}
MAX_OPTIONS = 3


def _groups(rows: Iterator[tuple[int, dict]], errors: list[RowError], path: Path) -> Iterator[tuple[int, list]]:
    """(first line, [(line, row), ...]) per Handle, in file order; orphan variant rows are reported."""
    groups: dict[str, list[tuple[int, dict]]] = {}
    for number, row in rows:
        handle = text_value(row.get("Handle"))
        if not handle:
            errors.append(RowError(str(path), number, "missing Handle"))
        elif handle in groups and text_value(row.get("Title")):
            errors.append(RowError(str(path), number, f"duplicate product row for handle {handle!r} "
                                                       f"(first on line {groups[handle][0][0]})"))
        elif handle in groups:
            groups[handle].append((number, row))
        elif not text_value(row.get("Title")):
            errors.append(RowError(str(path), number,
                                   f"variant row for handle {handle!r} before its product row (no Title)"))
        else:
            groups[handle] = [(number, row)]
    for members in groups.values():
        yield members[0][0], members


def _options(members: list[tuple[int, dict]]) -> dict[str, list[str]]:
    """Product field -> option values over every variant (names come from the first row)."""
    first = members[0][1]
    out: dict[str, list[str]] = {}
    for n in range(1, MAX_OPTIONS + 1):
        field = _OPTION_FIELDS.get(text_value(first.get(f"Option{n} Name")).lower())
        if not field:
            continue
        values = out.setdefault(field, [])
        for _, row in members:
            value = text_value(row.get(f"Option{n} Value"))
            if value and value not in values:
                values.append(value)
    return out


def _variant_numbers(members: list[tuple[int, dict]]) -> tuple[float | None, bool]:
    """The lowest variant price and whether any variant is in stock."""
    prices: list[float] = []
    quantities: list[float] = []
    for number, row in members:
        try:
            price = parse_price(row.get("Variant Price"))
        except RowProblem as exc:
            raise RowProblem(f"Variant Price: {exc}", line=number) from None
        if price is not None:
            prices.append(price)
        qty = text_value(row.get("Variant Inventory Qty"))
        if qty:
            try:
                quantities.append(float(qty))
            except ValueError:
                raise RowProblem(f"Variant Inventory Qty {qty!r} is not a number", line=number) from None
    return (min(prices) if prices else None), (not quantities or any(q > 0 for q in quantities))


def _record(members: list[tuple[int, dict]]) -> dict[str, Any]:
    first = members[0][1]
    price, in_stock = _variant_numbers(members)
    options = _options(members)
    kind = text_value(first.get("Type")).lower()
    where = place(first.get("Product Category"), text_value(first.get("Title")))
    tags = [t.strip() for t in text_value(first.get("Tags")).split(",") if t.strip()]
    material = options.get("material", [])
    return {
        "id": first.get("Handle"), "title": first.get("Title"), "description": html_to_text(first.get("Body (HTML)")),
        "brand": first.get("Vendor"), "price": price, "in_stock": in_stock,
        "category": where.category or text_value(first.get("Type")), "product_type": kind or where.product_type,
        "features": tags, "colors": options.get("colors", []), "sizes": options.get("sizes", []),
        "material": material[0] if material else None, "audience": where.audience,
    }


def read_shopify(path: Path) -> LoadResult:
    """Every product of a Shopify product CSV export, and every bad row."""
    errors: list[RowError] = []
    lines, bad = read_lines(path, errors)
    header = [h.strip() for h in next(csv.reader(io.StringIO(lines[0])), [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise CatalogError([RowError(str(path), 1, f"not a Shopify product export: missing column(s) {', '.join(missing)}")],
                           hint="export products from Shopify admin > Products > Export (CSV)")
    groups = _groups(iter_csv(path, lines, bad, errors), errors, path)
    return collect(path, groups, _record, errors)
