"""`shopbot build`: run every idempotent build step, in order; each is quick when nothing is missing.

``BUILD_STEPS`` is a list of ``(name, step)``; a step is ``fn(settings) -> None``. The steps import what they
need when they run (plain imports inside the function), so this module stays cheap to import.
"""

from __future__ import annotations

import logging
import time
from typing import Callable

log = logging.getLogger(__name__)

Step = Callable[..., None]


def build_catalog(settings) -> None:
    """Generate the default catalog at settings.catalog_path if it is missing."""
    from assistant.errors import UserError

    path = settings.catalog_path
    if path.is_file():
        log.info("catalog: %s exists", path)
        return
    if settings.catalog_file is not None:
        raise UserError(f"configured catalog file not found: {path}")
    from retrieval.catalog.generate import generate_catalog
    from retrieval.catalog.io import save_catalog

    log.info("catalog: generating %d products (seed %d) into %s", settings.catalog_size, settings.seed, path)
    path.parent.mkdir(parents=True, exist_ok=True)
    save_catalog(generate_catalog(settings.catalog_size, seed=settings.seed), path)


def build_index(settings) -> None:
    """Index the catalog if the collection is empty or the catalog file changed since the last index."""
    from ui.cli.index import catalog_fingerprint, index_catalog, open_index
    from assistant.errors import UserError

    path = settings.catalog_path
    if not path.is_file():
        raise UserError(f"catalog file not found: {path}")
    index = open_index(settings)
    if index.count() > 0 and index.fingerprint == catalog_fingerprint(path):
        log.info("index: up to date (%d products)", index.count())
        return
    stats = index_catalog(settings, path, progress=True)
    log.info("index: %d added, %d updated, %d deleted, %d unchanged", stats.added, stats.updated, stats.deleted, stats.unchanged)


def build_orders(settings) -> None:
    from assistant.orders.seed import build_demo_orders

    build_demo_orders(settings)


def build_policies(settings) -> None:
    from assistant.policies.store import build_policies as build

    build(settings)


def build_users(settings) -> None:
    """Synthetic users and their histories (for the ranker)."""
    from training.users import build_users as build

    build(settings)


def build_sequential(settings) -> None:
    """The next-item model trained on those histories (for the ranker)."""
    from training.sequential.shop import build_sequential as build

    build(settings)


def build_writer(settings) -> None:
    """The merged writer weights: fast start-up."""
    from assistant.writer.weights_cache import build_writer_cache

    build_writer_cache(settings)


BUILD_STEPS: list[tuple[str, Step]] = [
    ("catalog", build_catalog),
    ("index", build_index),
    ("orders", build_orders),
    ("policies", build_policies),
    ("users", build_users),
    ("sequential", build_sequential),
    ("writer", build_writer),
]


def run_steps(settings, only: list[str] | None = None) -> list[tuple[str, float]]:
    done = []
    for name, step in BUILD_STEPS:
        if only and name not in only:
            continue
        start = time.perf_counter()
        step(settings)
        done.append((name, time.perf_counter() - start))
    return done


def register(sub) -> None:
    parser = sub.add_parser("build", help="build everything that is missing (catalog, index, ...)")
    parser.add_argument("--only", action="append", help="run only this step (repeatable)")
    parser.set_defaults(func=run)


def run(args, settings) -> int:
    from assistant.errors import UserError

    names = [name for name, _ in BUILD_STEPS]
    unknown = [n for n in (args.only or []) if n not in names]
    if unknown:
        raise UserError(f"unknown build step(s) {', '.join(unknown)}; known: {', '.join(names)}")
    for name, seconds in run_steps(settings, args.only):
        print(f"{name}: ok ({seconds:.1f}s)")
    return 0
