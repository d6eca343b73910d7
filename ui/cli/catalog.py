"""`shopbot catalog generate|import|check|sources`: make, import and validate catalog files."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

log = logging.getLogger(__name__)


def register(sub) -> None:
    parser = sub.add_parser("catalog", help="generate, import or check a product catalog")
    cmds = parser.add_subparsers(dest="catalog_command", required=True)

    gen = cmds.add_parser("generate", help="write the seeded default catalog as JSONL")
    gen.add_argument("--n", type=int, help="number of products (default: settings catalog_size)")
    gen.add_argument("--seed", type=int, help="random seed (default: settings seed)")
    gen.add_argument("--out", type=Path, help="output file (default: the configured catalog path)")
    gen.set_defaults(func=run_generate)

    imp = cmds.add_parser("import", help="import a catalog file (CSV/JSONL with --map, or a Shopify/GMC/ESCI export)")
    imp.add_argument("source", help="catalog file (CSV/JSONL; list fields in CSV are |-separated), or a shared "
                                    "dataset name (esci-shop)")
    imp.add_argument("--out", type=Path, help="output JSONL (default: the configured catalog path)")
    _add_load_options(imp)
    imp.set_defaults(func=run_import)

    chk = cmds.add_parser("check", help="validate a catalog file and list every bad row")
    chk.add_argument("source", help="catalog file (see import), or a shared dataset name (esci-shop)")
    _add_load_options(chk)
    chk.set_defaults(func=run_check)

    src = cmds.add_parser("sources", help="what the shared datasets hold (esci-shop is a product catalog)")
    src.set_defaults(func=run_sources)


def _add_load_options(parser) -> None:
    parser.add_argument("--format", default="generic", dest="fmt", metavar="FORMAT",
                        help="generic (CSV/JSONL, default, with --map), esci (esci-shop products.jsonl), "
                             "shopify (product CSV export), gmc (Merchant Center TSV feed)")
    parser.add_argument("--map", action="append", default=[], metavar="COLUMN=FIELD",
                        help="map a source column to a Product field (FIELD empty or '-' ignores the column); repeatable")
    parser.add_argument("--skip-bad", action="store_true", help="import the good rows and report the bad ones (default: refuse)")
    parser.add_argument("--ignore-unknown", action="store_true", help="ignore columns that are not Product fields")


def parse_mapping(items: list[str]) -> dict[str, str]:
    from assistant.errors import UserError

    mapping: dict[str, str] = {}
    for item in items:
        if "=" not in item:
            raise UserError(f"--map expects COLUMN=FIELD, got {item!r}")
        src, dst = item.split("=", 1)
        mapping[src.strip()] = dst.strip()
    return mapping


def run_generate(args, settings) -> int:
    from retrieval.catalog.generate import generate_catalog
    from retrieval.catalog.io import save_catalog
    from assistant.errors import UserError

    n = settings.catalog_size if args.n is None else args.n
    seed = settings.seed if args.seed is None else args.seed
    if n <= 0:
        raise UserError(f"--n must be a positive number of products, got {n}")
    out = args.out or settings.catalog_path
    if out.suffix.lower() not in (".jsonl", ".ndjson", ".csv"):
        raise UserError(f"--out must end in .jsonl or .csv, got {out}")
    path = save_catalog(generate_catalog(n, seed), out)
    print(f"wrote {n} products (seed {seed}) to {path}")
    return 0


def _read(args):
    """The LoadResult of args.source, with every failure turned into one UserError line."""
    from retrieval.catalog.feeds import FeedFormatError
    from retrieval.catalog.importers import NotACatalogError, import_source
    from retrieval.catalog.io import CatalogError
    from assistant.errors import UserError

    try:
        return import_source(args.source, parse_mapping(args.map), fmt=args.fmt, ignore_unknown=args.ignore_unknown)
    except (CatalogError, NotACatalogError, FeedFormatError) as exc:
        raise UserError(str(exc)) from exc


def _report_bad(errors, limit: int = 20) -> None:
    for err in errors[:limit]:
        print(f"bad row {err}", file=sys.stderr)
    if len(errors) > limit:
        print(f"... and {len(errors) - limit} more bad rows", file=sys.stderr)


def run_import(args, settings) -> int:
    from retrieval.catalog.io import CatalogError, save_catalog
    from assistant.errors import UserError

    result = _read(args)
    if result.errors and not args.skip_bad:
        raise UserError(str(CatalogError(result.errors, hint="import refused; fix the rows or pass --skip-bad")))
    if not result.products:
        raise UserError(f"{args.source}: no valid products to import")
    _report_bad(result.errors)
    out = args.out or settings.catalog_path
    save_catalog(result.products, out)
    print(f"imported {len(result.products)} products from {args.source} into {out} ({_summary(result)})")
    return 0


def _summary(result) -> str:
    """"4774 without a price, 0 bad rows skipped"."""
    unpriced = sum(p.price is None for p in result.products)
    return f"{unpriced} without a price, {len(result.errors)} bad rows skipped"


def run_check(args, settings) -> int:
    result = _read(args)
    _report_bad(result.errors, limit=1000)
    unpriced = sum(p.price is None for p in result.products)
    print(f"{args.source}: {len(result.products)} good products ({unpriced} without a price), {len(result.errors)} bad rows")
    return 1 if result.errors else 0


def run_sources(args, settings) -> int:
    from retrieval.catalog.importers import SHARED_DATA, shared_sources

    print(f"shared datasets in {SHARED_DATA}:")
    for src, present in shared_sources():
        what = (f"a catalog: `shopbot catalog import {src.name}` (--format {src.fmt})" if src.is_catalog
                else f"not a catalog: {src.why_not}")
        print(f"- {src.name} ({'present' if present else 'absent'}): {src.holds}; {what}")
    return 0
