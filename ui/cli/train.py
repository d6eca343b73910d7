"""`shopbot train <model>`: each trainable model registers its own sub-command in training/<model>/cli.py."""

from __future__ import annotations

from training.generator import cli as generator_cli
from training.nlu import cli as nlu_cli
from training.sequential import cli as sequential_cli

# modules with register(subparsers) for `train` and register_eval(subparsers) for `eval`
TRAINABLE = (nlu_cli, generator_cli, sequential_cli)


def register(sub) -> None:
    parser = sub.add_parser("train", help="train a model (nlu, generator, sequential)")
    models = parser.add_subparsers(dest="model", required=True)
    for module in TRAINABLE:
        module.register(models)
