"""`shopbot train sequential` and `shopbot eval sequential`."""

from __future__ import annotations

from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("sequential", help="train the next-item model on the interaction store's histories")
    p.add_argument("--out", type=Path, help="model directory (default <data_dir>/models/sequential)")
    p.add_argument("--epochs", type=int, default=20)
    p.add_argument("--minutes", type=float, default=1.5, help="wall-clock budget")
    p.set_defaults(func=_train)


def register_eval(sub) -> None:
    p = sub.add_parser("sequential", help="leave-one-out next-item metrics of the built model on the store's histories")
    p.add_argument("--model", type=Path, help="model directory (default <data_dir>/models/sequential)")
    p.set_defaults(func=_eval)


def _inputs(settings):
    from assistant.stores import open_stores
    from retrieval.catalog.io import load_catalog
    from assistant.errors import UserError

    if not settings.catalog_path.is_file():
        raise UserError(f"catalog file not found: {settings.catalog_path}; run `shopbot build` first")
    store = open_stores(settings).interactions  # the command's process owns it until it exits
    if store.count() == 0:
        raise UserError("the interaction store is empty; run `shopbot build` first")
    return store, load_catalog(settings.catalog_path)


def _train(args, settings) -> int:
    from training.sequential.shop import train_shop_model
    from training.sequential.train import TrainConfig
    from assistant.errors import UserError

    store, catalog = _inputs(settings)
    out = args.out or settings.models_dir / "sequential"
    tcfg = TrainConfig(epochs=args.epochs, batch_size=64, lr=2e-3, eval_every=2, patience=3, max_minutes=args.minutes,
                       max_attributes=3)
    try:
        result = train_shop_model(store, catalog, out, tcfg)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    print(f"trained {result.epochs_run} epochs in {result.seconds:.0f}s (best epoch {result.best_epoch}) -> {out}")
    return 0


def _eval(args, settings) -> int:
    from assistant.artifact import ArtifactError
    from assistant.sequential.store import load_model
    from training.sequential.data import leave_one_out
    from training.sequential.evaluate import full_rank_metrics
    from training.sequential.shop import shop_dataset
    from training.sequential.train import scorer
    from assistant.errors import UserError

    store, catalog = _inputs(settings)
    try:
        loaded = load_model(args.model or settings.models_dir / "sequential")
    except ArtifactError as exc:
        raise UserError(str(exc)) from None
    data = shop_dataset(store, catalog)
    if data.item_ids != loaded.item_ids:
        raise UserError("the model was trained on another catalog; retrain with `shopbot train sequential`")
    split = leave_one_out(data.sequences)
    m = full_rank_metrics(scorer(loaded.model), split.test_inputs, split.test_targets)
    print("| metric | value |\n|---|---|")
    for k, v in m.items():
        print(f"| {k} | {v:.4f} |")
    return 0
