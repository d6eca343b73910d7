"""`shopbot index [--catalog FILE]`: embed the catalog into the Chroma product index (incremental)."""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser("index", help="index the product catalog into Chroma (only changed products are re-embedded)")
    parser.add_argument("--catalog", type=Path, help="catalog file, JSONL or CSV (default: the configured catalog)")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="map a source column to a Product field; repeatable")
    parser.add_argument("--skip-bad", action="store_true", help="index the good rows, report the bad ones (default: refuse)")
    parser.add_argument("--speed", choices=("auto", "fp32", "bf16", "fp32-capped"),
                        help="embedding speed mode (default: settings index_speed; retrieval/embeddings.py)")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar")
    parser.set_defaults(func=run)


def open_hybrid_index(settings):
    """The dense index with BM25 fused in, as the assistant searches it (retrieval/hybrid.py)."""
    from assistant.runtime import hybrid_over

    return hybrid_over(open_index(settings), None, settings)


def open_index(settings, embedder=None):
    """The ProductIndex the settings point at (embedded Chroma at settings.chroma_path, or settings.chroma_url)."""
    from retrieval.chroma_client import ChromaConnectionError
    from retrieval.embeddings import Embedder, EmbeddingError
    from retrieval.index import ProductIndex
    from retrieval.packaged import ModelNotInstalled
    from assistant.errors import UserError

    try:
        return ProductIndex.open(
            path=settings.chroma_path, url=settings.chroma_url, collection=settings.products_collection,
            embedder=embedder or Embedder(settings.embedding_model, speed=settings.index_speed),
        )
    except (ChromaConnectionError, EmbeddingError, ModelNotInstalled) as exc:
        raise UserError(str(exc)) from exc


def catalog_fingerprint(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()[:24]


def load_products(path: Path, mapping: dict[str, str] | None = None, *, skip_bad: bool = False):
    """Load a catalog file, turning every problem into one clear UserError (bad rows refuse it unless skip_bad)."""
    from retrieval.catalog.io import CatalogError, load_catalog
    from assistant.errors import UserError

    path = Path(path)
    if not path.is_file():
        raise UserError(f"catalog file not found: {path} (run `shopbot catalog generate` or `shopbot build`)")
    try:
        products = load_catalog(path, mapping or None, skip_bad=skip_bad)
    except CatalogError as exc:
        raise UserError(f"bad catalog: {exc}") from exc
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise UserError(f"cannot read catalog {path}: {exc}") from exc
    if not products:
        raise UserError(f"catalog {path} has no products")
    return products


def index_catalog(settings, catalog: Path | None = None, *, progress: bool = True,
                  mapping: dict[str, str] | None = None, skip_bad: bool = False):
    """Load ``catalog`` (default settings.catalog_path), upsert it, record its fingerprint; returns IndexStats."""
    from retrieval.index import ProductIndexError
    from assistant.errors import UserError

    path = Path(catalog) if catalog else settings.catalog_path
    products = load_products(path, mapping, skip_bad=skip_bad)
    index = open_index(settings)
    try:
        stats = index.upsert(products, progress=progress)
    except ProductIndexError as exc:
        raise UserError(f"cannot index {path}: {exc}") from exc
    index.set_fingerprint(catalog_fingerprint(path))
    return stats


def run(args, settings) -> int:
    from ui.cli.catalog import parse_mapping

    if args.speed:
        settings = settings.model_copy(update={"index_speed": args.speed})
    stats = index_catalog(
        settings, args.catalog, progress=not args.no_progress, mapping=parse_mapping(args.map), skip_bad=args.skip_bad
    )
    print(
        f"indexed: {stats.added} added, {stats.updated} updated, {stats.deleted} deleted, "
        f"{stats.unchanged} unchanged ({stats.seconds:.1f}s)"
    )
    return 0
