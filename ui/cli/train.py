"""`shopbot train <model>`: each trainable model registers its own sub-command in training/<model>/cli.py."""

from __future__ import annotations

import importlib

# training package modules with register(subparsers) for `train` and register_eval(subparsers) for `eval`
TRAINABLE: tuple[str, ...] = ("training.nlu.cli", "training.generator.cli", "training.sequential.cli")


def _modules():
    for name in TRAINABLE:
        try:
            yield importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name is None or not name.startswith(exc.name):
                raise


def register(sub) -> None:
    parser = sub.add_parser("train", help="train a model (nlu, generator, sequential)")
    models = parser.add_subparsers(dest="model", required=True)
    for module in _modules():
        module.register(models)
