"""Catalog feed formats: the generic CSV/JSONL reader with a column mapping, and presets for real exports.

``--format`` names a preset that reads a store's export as it is (no mapping needed):
  ``esci``     the esci-shop products JSONL (``retrieval.catalog.esci``)
  ``shopify``  a Shopify product CSV export, variant rows folded into one product (``retrieval.catalog.shopify``)
  ``gmc``      a Google Merchant Center product feed, tab-separated (``retrieval.catalog.gmc``)
Without ``--format`` (``generic``) the file is read by ``retrieval.catalog.io.read_catalog`` with ``--map``.
Presets ignore the columns they do not use; row problems are reported as ``file:line: reason``.

Every import then gets a short ``display_name`` (``with_display_names``) unless the file already gave one.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Callable

from retrieval.catalog.display_name import derive_display_name
from retrieval.catalog.esci import read_esci
from retrieval.catalog.gmc import read_gmc
from retrieval.catalog.io import LoadResult, read_catalog
from retrieval.catalog.shopify import read_shopify
from retrieval.product import Product

GENERIC = "generic"
PRESETS: dict[str, Callable[[Path], LoadResult]] = {"esci": read_esci, "shopify": read_shopify, "gmc": read_gmc}
FORMATS: tuple[str, ...] = (GENERIC, *PRESETS)


class FeedFormatError(ValueError):
    """An unknown --format, or a --map given with a preset."""


def with_display_names(products: list[Product]) -> list[Product]:
    """Each product with ``display_name`` derived from title, brand and type when it has none."""
    return [p if p.display_name else replace(p, display_name=derive_display_name(p.title, p.brand, p.product_type))
            for p in products]


def read_feed(path: str | Path, fmt: str = GENERIC, mapping: dict[str, str] | None = None, *,
              ignore_unknown: bool = False) -> LoadResult:
    """Products (with display names) and bad rows of a catalog file in the given format."""
    if fmt not in FORMATS:
        raise FeedFormatError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if fmt == GENERIC:
        result = read_catalog(path, mapping, ignore_unknown=ignore_unknown)
    elif mapping:
        raise FeedFormatError(f"--map cannot be combined with --format {fmt} (the preset is the mapping)")
    else:
        result = PRESETS[fmt](Path(path))
    return LoadResult(with_display_names(result.products), result.errors)
