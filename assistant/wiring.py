"""Build the Assistant's components from Settings (the only place that knows every concrete class)."""

from __future__ import annotations

import importlib
import logging

log = logging.getLogger(__name__)


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ModuleNotFoundError as exc:
        if exc.name and module.startswith(exc.name):
            log.warning("%s is not available; using a stand-in", module)
            return None
        raise


def build_ranker(settings, engine, index):
    """(ranker, interactions) from assistant.ranking / assistant.interactions, or the relevance stand-in."""
    inter_mod = _optional("assistant.interactions")
    interactions = inter_mod.InteractionStore(engine) if inter_mod else None
    policy_mod = _optional("assistant.ranking.policy")
    if policy_mod is None:
        return None, interactions
    factory = getattr(policy_mod.RankingPolicy, "from_settings", None)
    if factory is not None:
        return factory(settings, engine=engine, index=index, interactions=interactions), interactions
    return policy_mod.RankingPolicy(settings, interactions=interactions), interactions


def build_writer(settings):
    """The reply writer; ``None`` (template replies) when it cannot be loaded, with a warning."""
    writer_mod = _optional("assistant.writer.writer")
    if writer_mod is None:
        return None
    try:
        return writer_mod.ReplyWriter.from_settings(settings)
    except Exception as exc:  # noqa: BLE001 - a missing adapter must not stop the assistant
        log.warning("the reply writer could not be loaded (%s: %s); replies use the template", type(exc).__name__, exc)
        return None


def hybrid_over(dense, products, settings):
    """Dense + BM25 search over ``dense`` (the catalog's ``products``), weighted as the settings say."""
    from retrieval.hybrid import HybridIndex

    tuning = settings.search
    return HybridIndex.build(dense, products, dense_weight=tuning.dense_weight, negation_weight=tuning.negation_weight,
                             pool=max(100, tuning.pool))


def build_components(settings, *, generate: bool = True) -> dict:
    from assistant.db import make_engine
    from assistant.events import EventLog
    from assistant.nlu.parser import NluParser
    from assistant.orders.repository import OrderRepository
    from assistant.orders.seed import seed_demo_store
    from assistant.policies.store import PolicyStore
    from retrieval.chroma_client import open_client
    from retrieval.catalog.taxonomy import CatalogVocabulary
    from retrieval.embeddings import Embedder
    from retrieval.index import ProductIndex

    engine = make_engine(settings.db_url)
    embedder = Embedder(settings.embedding_model)
    client = open_client(path=settings.chroma_path, url=settings.chroma_url)
    dense = ProductIndex(client, embedder, collection=settings.products_collection)
    if dense.count() == 0:
        log.warning("the product index is empty; run `shopbot build` first")
    products = dense.all_products()
    vocabulary = CatalogVocabulary.from_products(products)
    index = hybrid_over(dense, products, settings)
    policies = PolicyStore(client, embedder, settings.policies_collection)
    if policies.count() == 0:
        policies.index()
    orders = OrderRepository(engine)
    if not orders.has_customers():
        seed_demo_store(orders, products[:200], seed=settings.seed)
    parser = NluParser.load(settings.nlu_model_dir, threshold=settings.nlu_confidence_threshold,
                            speed=settings.nlu_speed)
    ranker, interactions = build_ranker(settings, engine, index)
    writer = build_writer(settings) if generate else None
    return {"parser": parser, "index": index, "vocabulary": vocabulary, "orders": orders, "events": EventLog(engine), "policies": policies,
            "ranker": ranker, "writer": writer, "interactions": interactions}
