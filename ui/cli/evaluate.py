"""`shopbot eval <model>`: evaluation commands registered by training/<model>/cli.py (register_eval)."""

from __future__ import annotations

from ui.cli import eval_search
from ui.cli.train import TRAINABLE


def register(sub) -> None:
    parser = sub.add_parser("eval", help="evaluate a model (nlu, generator) or search (search)")
    models = parser.add_subparsers(dest="model", required=True)
    eval_search.register(models)
    for module in TRAINABLE:
        if hasattr(module, "register_eval"):
            module.register_eval(models)
