"""Importers for catalogs from outside the generator.

A real catalog is imported from a file as its store exported it (``retrieval.catalog.feeds``):
``shopbot catalog import products.csv --format shopify``, ``--format gmc`` (Merchant Center TSV),
``--format esci``, or any CSV/JSONL with a column mapping:
``shopbot catalog import products.csv --map sku=id --map name=title --map cost=price``.

The real datasets in ``../shared/data`` were checked (each SOURCE.md). **esci-shop is a product
catalog**: 6,764 real Amazon products with titles, descriptions, bullet points, brands, colours,
breadcrumbs (prices for 29% of them); ``shopbot catalog import esci-shop`` (or its products.jsonl with
``--format esci``) imports it. The others are not: esci-judgments has the graded ASINs of the same
queries but no product text of its own (esci-shop carries it), WANDS carries only queries, amazon-seq
carries anonymous integer item and attribute ids (no names, titles, prices), and amazon-seq-asin maps
those ids to ASINs (still no text). No importer fabricates products from those; ``import_source``
names the dataset and explains instead. ``shared_sources`` reports what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.catalog.feeds import GENERIC, read_feed
from retrieval.catalog.io import LoadResult

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"


class NotACatalogError(ValueError):
    """The named source exists but holds no product catalog; the message says why and what to do."""


@dataclass(frozen=True)
class SharedSource:
    name: str
    holds: str
    why_not: str = ""  # empty: the source is a catalog, imported from ``catalog_file`` with ``fmt``
    catalog_file: str = ""
    fmt: str = GENERIC

    @property
    def is_catalog(self) -> bool:
        return bool(self.catalog_file)


SHARED_SOURCES: tuple[SharedSource, ...] = (
    SharedSource("esci-shop", "6,764 Amazon products with text, brands, colours, breadcrumbs (29% priced) "
                 "and 75 dev queries with ESCI judgements", catalog_file="products.jsonl", fmt="esci"),
    SharedSource("esci-judgments", "150 queries with graded ESCI judgements over 6,597 ASINs",
                 "no product text of its own (esci-shop carries the products of the same queries)"),
    SharedSource("wands-queries", "480 Wayfair search queries with their product class",
                 "queries only; WANDS product.csv and labels are absent"),
    SharedSource("amazon-seq", "Amazon Beauty/Sports purchase sequences and item -> attribute ids",
                 "items and attributes are anonymous integers: no names, titles, brands or prices"),
    SharedSource("amazon-seq-asin", "item id -> ASIN for the amazon-seq items",
                 "ASINs only; the Amazon metadata (titles, prices) is not available"),
    SharedSource("bitext-cs", "customer-service utterances with intents and entities", "no products"),
    SharedSource("banking77", "banking customer-service queries with intents", "no products"),
)

GUIDE = ("import esci-shop (`shopbot catalog import esci-shop`), or export your store as CSV/JSONL and import it "
         "with --format shopify|gmc or a column mapping, e.g. "
         "`shopbot catalog import products.csv --map sku=id --map name=title --map cost=price`")


def shared_sources(data_dir: Path = SHARED_DATA) -> list[tuple[SharedSource, bool]]:
    """Each known shared dataset and whether it is present on this machine."""
    return [(src, (data_dir / src.name).is_dir()) for src in SHARED_SOURCES]


def import_source(source: str | Path, mapping: dict[str, str] | None = None, *, fmt: str = GENERIC,
                  ignore_unknown: bool = False, data_dir: Path = SHARED_DATA) -> LoadResult:
    """Read a catalog file in ``fmt``; a shared dataset's name imports its catalog file with its preset,
    or raises NotACatalogError with the reason when it holds no catalog."""
    by_name = {s.name: s for s in SHARED_SOURCES}
    key = str(source).rstrip("/").split("/")[-1]
    path = Path(source)
    if key in by_name and not path.is_file():
        src = by_name[key]
        if not src.is_catalog:
            raise NotACatalogError(f"{src.name} holds {src.holds}, not a product catalog: {src.why_not}. "
                                   f"To use a real catalog, {GUIDE}")
        base = path if path.is_dir() else data_dir / src.name
        return read_feed(base / src.catalog_file, src.fmt if fmt == GENERIC and not mapping else fmt, mapping,
                         ignore_unknown=ignore_unknown)
    return read_feed(path, fmt, mapping, ignore_unknown=ignore_unknown)
