"""The composition root: every resource the assistant uses, built once from ``Settings`` and closed once.

``open_stores(settings) -> Stores`` (assistant/stores.py) opens the database side: the order store, the event
log, the interaction store, the per-session locks and the session store. It loads no model, so a server can
answer (health, static files, the admin pages, the demo customer picker) at once.
``build_runtime(settings, stores=...) -> Runtime`` adds the models and indexes: the product search (Chroma +
BM25), the catalog vocabulary, the policy passages, the NLU parser, the ranker and the reply writer.

Every front end takes these records, never ``Settings`` alone: the Gradio app and its admin tabs and the
widget API get ``Stores`` and an ``Assistant(runtime)``; the multi-worker API, replay workers and the CLI
commands call ``build_runtime``/``open_stores`` once and close what they opened. Nothing here is a module
global: two runtimes (tests, replay workers) never share state.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import torch

from assistant.nlu.parser import NluParser
from assistant.orders.seed import seed_demo_store
from assistant.policies.store import PolicyStore
from assistant.ranking.policy import RankingPolicy
from assistant.settings import Settings
from assistant.stores import Stores, open_stores
from assistant.writer.factory import writer_from_settings
from assistant.writer.writer import ReplyWriter
from retrieval.catalog.taxonomy import CatalogVocabulary
from retrieval.chroma_client import open_client
from retrieval.embeddings import Embedder
from retrieval.hybrid import HybridIndex
from retrieval.index import ProductIndex
from retrieval.memory import release_free_memory

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Runtime:
    """Stores + models: everything one ``Assistant`` needs, built once by ``build_runtime``."""

    stores: Stores
    index: HybridIndex
    vocabulary: CatalogVocabulary
    policies: PolicyStore
    parser: NluParser
    ranker: RankingPolicy
    writer: ReplyWriter | None = None

    @property
    def settings(self) -> Settings:
        return self.stores.settings

    def close(self) -> None:
        self.stores.close()

    def __enter__(self) -> "Runtime":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def hybrid_over(dense: ProductIndex, products, settings: Settings,
                vocabulary: CatalogVocabulary | None = None) -> HybridIndex:
    """Dense + BM25 search over ``dense`` (the catalog's ``products``), weighted as the settings say; with the
    catalog's ``vocabulary``, its names with a "not" are reused instead of read from the titles again."""
    tuning = settings.search
    return HybridIndex.build(dense, products, vocabulary.written_negations if vocabulary is not None else None,
                             dense_weight=tuning.dense_weight, negation_weight=tuning.negation_weight,
                             pool=max(100, tuning.pool))


def build_runtime(settings: Settings, *, stores: Stores | None = None, generate: bool = True) -> Runtime:
    """Open (or reuse) the stores and load every model. ``generate=False``: no reply writer (template replies)."""
    stores = stores or open_stores(settings)
    if settings.torch_threads:
        torch.set_num_threads(settings.torch_threads)
    embedder = Embedder(settings.embedding_model)
    client = open_client(path=settings.chroma_path, url=settings.chroma_url)
    dense = ProductIndex(client, embedder, collection=settings.products_collection)
    if dense.count() == 0:
        log.warning("the product index is empty; run `shopbot build` first")
    products = dense.all_products()
    vocabulary = CatalogVocabulary.from_products(products)
    index = hybrid_over(dense, products, settings, vocabulary)
    policies = PolicyStore(client, embedder, settings.policies_collection)
    if policies.count() == 0:
        policies.index()
    if not stores.orders.has_customers():
        seed_demo_store(stores.orders, products[:200], seed=settings.seed)
    parser = NluParser.load(settings.nlu_model_dir, threshold=settings.nlu_confidence_threshold,
                            speed=settings.nlu_speed)
    ranker = RankingPolicy.from_settings(settings, index=index, interactions=stores.interactions)
    runtime = Runtime(stores=stores, index=index, vocabulary=vocabulary,
                      policies=policies, parser=parser, ranker=ranker,
                      writer=_writer(settings) if generate else None)
    release_free_memory()  # reading every record and building BM25 leaves freed heap the OS can have back
    return runtime


def _writer(settings: Settings) -> ReplyWriter | None:
    """The reply writer; ``None`` (template replies) when it cannot be loaded, with the reason in the log."""
    try:
        return writer_from_settings(settings)
    except Exception as exc:  # noqa: BLE001 - a broken adapter must not stop the assistant
        log.warning("the reply writer could not be loaded (%s: %s); replies use the template", type(exc).__name__, exc)
        return None
