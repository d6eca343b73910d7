"""Shared fixtures. Heavy resources (models, the built catalog) load once per session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED_DATA = REPO.parent / "shared" / "data"
ARTIFACTS = REPO / "tests" / "artifacts"


def pytest_addoption(parser):
    parser.addoption("--run-slow", action="store_true", help="also run the model-heavy tier (make test does)")


def pytest_collection_modifyitems(config, items):
    if config.getoption("--run-slow"):
        return
    skip = pytest.mark.skip(reason="model-heavy tier: run with --run-slow (make test does)")
    for item in items:
        if "slow" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    return SHARED_DATA


def shared_dataset(name: str) -> Path:
    """Path of ../shared/data/<name>, or skip the test with a clear message when absent."""
    path = SHARED_DATA / name
    if not path.is_dir():
        pytest.skip(f"dataset {name!r} not found at {path} (it is optional; CI has it)")
    return path


@pytest.fixture
def settings(tmp_path):
    """Settings pointing at a fresh temporary data directory."""
    from assistant.settings import Settings

    return Settings(data_dir=tmp_path / "data", catalog_size=300)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS


# --- retrieval fixtures (engineer RETRIEVAL): loaded once per session --------------------------------
CATALOG_FIXTURE_SIZE = 600
CATALOG_FIXTURE_SEED = 7


@pytest.fixture(scope="session")
def embedder():
    """The packaged MiniLM embedder (session-scoped: loading it takes seconds)."""
    from retrieval.embeddings import Embedder

    return Embedder()


@pytest.fixture(scope="session")
def catalog():
    """~600 products from the default catalog generator (seeded)."""
    from retrieval.catalog.generate import generate_catalog

    return generate_catalog(CATALOG_FIXTURE_SIZE, seed=CATALOG_FIXTURE_SEED)


@pytest.fixture(scope="session")
def product_index(tmp_path_factory, embedder, catalog):
    """A real embedded-Chroma ProductIndex over ``catalog`` in a session temp dir (read-only use, please)."""
    from retrieval.chroma_client import open_client
    from retrieval.index import ProductIndex

    client = open_client(tmp_path_factory.mktemp("product_index") / "chroma")
    index = ProductIndex(client, embedder, collection="products")
    index.upsert(catalog)
    return index


@pytest.fixture(scope="session")
def hybrid_index(product_index, catalog):
    """``product_index`` with BM25 fused in, as the runtime builds it (retrieval/hybrid.py)."""
    from retrieval.hybrid import HybridIndex

    return HybridIndex.build(product_index, catalog)


@pytest.fixture(scope="session")
def memo_embedder(embedder, product_index):
    """The session model with ``product_index``'s vectors memoised (tests/retrieval/memo_embedder.py)."""
    from tests.retrieval.memo_embedder import MemoEmbedder

    return MemoEmbedder.from_index(embedder, product_index)


@pytest.fixture
def cli(settings, memo_embedder, monkeypatch):
    """Run `shopbot --data-dir <tmp> ...` through the real entry point, reusing the session model (and its
    vectors) instead of reloading it."""
    from ui.cli.main import main

    monkeypatch.setattr("retrieval.embeddings.Embedder", lambda *a, **k: memo_embedder)
    return lambda *argv: main(["--data-dir", str(settings.data_dir), *argv])
