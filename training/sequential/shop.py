"""The sequential model for the shop: sequences from the interaction store, item attributes from the
catalog (category, product type, brand, so unseen items still get content vectors), train and save."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.artifact import MANIFEST_FILE, data_hash
from assistant.interactions import InteractionStore
from assistant.sequential.store import save_model
from retrieval.product import Product
from training.sequential.data import SeqDataset
from training.sequential.train import TrainConfig, TrainResult, train

log = logging.getLogger(__name__)

POSITIVE = frozenset({"click", "like", "add_to_cart", "purchase"})
SHOP_MODEL = {"hidden": 64, "max_len": 50, "dropout": 0.3, "layers": 2, "heads": 2}


def shop_dataset(store: InteractionStore, catalog: list[Product]) -> SeqDataset:
    """One sequence per user: the items they reacted positively to, in time order (repeats collapsed)."""
    item_ids = tuple(sorted(p.id for p in catalog))
    number = {pid: i + 1 for i, pid in enumerate(item_ids)}
    seqs: dict[str, list[int]] = {}
    for e in store.all():
        n = number.get(e.item_id)
        if n is None or e.kind not in POSITIVE:
            continue
        seq = seqs.setdefault(e.user_id, [])
        if not seq or seq[-1] != n:
            seq.append(n)
    by_id = {p.id: p for p in catalog}
    vocab: dict[str, int] = {}
    attrs = []
    for pid in item_ids:
        p = by_id[pid]
        toks = (f"c:{p.category}", f"t:{p.product_type}", f"b:{p.brand}")
        attrs.append(tuple(vocab.setdefault(t, len(vocab) + 1) for t in toks))
    return SeqDataset(tuple(tuple(s) for s in seqs.values() if len(s) >= 2), item_ids, tuple(attrs), len(vocab))


def dataset_hash(data: SeqDataset) -> str:
    """The training data hash of a sequential dataset: item ids, then one line per sequence."""
    return data_hash([" ".join(data.item_ids), *(" ".join(map(str, s)) for s in data.sequences)])


def best_metrics(result: TrainResult) -> dict[str, float]:
    """The validation figures (HR@10, NDCG@10) of the kept epoch."""
    best = [h for h in result.history if h.get("epoch") == result.best_epoch]
    return {k: float(v) for k, v in (best[0] if best else {}).items() if k not in ("epoch", "seconds")}


def train_shop_model(store: InteractionStore, catalog: list[Product], out_dir: Path,
                     tcfg: TrainConfig | None = None) -> TrainResult:
    data = shop_dataset(store, catalog)
    if not data.sequences:
        raise ValueError("no behaviour sequences in the interaction store; run `shopbot build` (users step) first")
    tcfg = tcfg or TrainConfig(epochs=20, batch_size=64, lr=2e-3, eval_every=2, patience=3, max_minutes=1.5,
                               max_attributes=3)
    result = train(data, tcfg, SHOP_MODEL)
    save_model(result.model, out_dir, data.item_ids, metrics=best_metrics(result), training_data_hash=dataset_hash(data),
               details={"source": "interaction store", "users": len(data.sequences), "best_epoch": result.best_epoch,
                        "seconds": round(result.seconds, 1), "history": result.history})
    log.info("sequential model: %d sequences, %d epochs in %.0fs -> %s", len(data.sequences), result.epochs_run,
             result.seconds, out_dir)
    return result


def build_sequential(settings) -> None:
    """Build step "sequential": train the next-item model into models_dir/sequential if it is missing."""
    from assistant.stores import open_stores

    out = settings.models_dir / "sequential"
    if (out / MANIFEST_FILE).is_file():
        log.info("sequential: model exists at %s", out)
        return
    if not settings.catalog_path.is_file():
        log.warning("sequential: no catalog at %s; skipped", settings.catalog_path)
        return
    with open_stores(settings) as stores:
        _train_if_histories(stores.interactions, settings, out)


def _train_if_histories(store: InteractionStore, settings, out: Path) -> None:
    import torch

    from retrieval.catalog.io import load_catalog

    if store.count() == 0:
        log.warning("sequential: the interaction store is empty; skipped (run the users step first)")
        return

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # a small model: one thread is fastest (and kind to a shared CPU)
    try:
        train_shop_model(store, load_catalog(settings.catalog_path), out)
    finally:
        torch.set_num_threads(threads)
