"""Importers for catalogs from outside the generator.

A real catalog is imported from a CSV or JSONL file with a column mapping (``retrieval.catalog.io``):
``shopbot catalog import products.csv --map sku=id --map name=title --map cost=price``.

The real datasets in ``../shared/data`` were checked (each SOURCE.md) and **none of them is a product
catalog**: ESCI judgements carry ASINs and grades but no product text, WANDS carries only queries,
amazon-seq carries anonymous integer item and attribute ids (no names, titles, prices), and
amazon-seq-asin maps those ids to ASINs (still no text). Inventing titles and prices for them would
index placeholders that no query can meaningfully match, so no importer fabricates products from them;
``import_source`` names the dataset and explains instead. ``shared_sources`` reports what exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from retrieval.catalog.io import LoadResult, read_catalog

REPO = Path(__file__).resolve().parents[2]
SHARED_DATA = REPO.parent / "shared" / "data"


class NotACatalogError(ValueError):
    """The named source exists but holds no product catalog; the message says why and what to do."""


@dataclass(frozen=True)
class SharedSource:
    name: str
    holds: str
    why_not: str


SHARED_SOURCES: tuple[SharedSource, ...] = (
    SharedSource("esci-judgments", "150 queries with graded ESCI judgements over 6,597 ASINs",
                 "no product text (titles/descriptions are in a file absent from the snapshot)"),
    SharedSource("wands-queries", "480 Wayfair search queries with their product class",
                 "queries only; WANDS product.csv and labels are absent"),
    SharedSource("amazon-seq", "Amazon Beauty/Sports purchase sequences and item -> attribute ids",
                 "items and attributes are anonymous integers: no names, titles, brands or prices"),
    SharedSource("amazon-seq-asin", "item id -> ASIN for the amazon-seq items",
                 "ASINs only; the Amazon metadata (titles, prices) is not available"),
    SharedSource("bitext-cs", "customer-service utterances with intents and entities", "no products"),
    SharedSource("banking77", "banking customer-service queries with intents", "no products"),
)

GUIDE = ("export it as CSV or JSONL and import it with a column mapping, e.g. "
         "`shopbot catalog import products.csv --map sku=id --map name=title --map cost=price`")


def shared_sources(data_dir: Path = SHARED_DATA) -> list[tuple[SharedSource, bool]]:
    """Each known shared dataset and whether it is present on this machine."""
    return [(src, (data_dir / src.name).is_dir()) for src in SHARED_SOURCES]


def import_source(source: str | Path, mapping: dict[str, str] | None = None, *,
                  ignore_unknown: bool = False) -> LoadResult:
    """Read a catalog from a CSV/JSONL file; a shared dataset name raises NotACatalogError with the reason."""
    by_name = {s.name: s for s in SHARED_SOURCES}
    key = str(source).rstrip("/").split("/")[-1]
    path = Path(source)
    if key in by_name and (not path.is_file()):
        src = by_name[key]
        raise NotACatalogError(f"{src.name} holds {src.holds}, not a product catalog: {src.why_not}. To use a real catalog, {GUIDE}")
    return read_catalog(path, mapping, ignore_unknown=ignore_unknown)
