"""`shopbot` command line: one subcommand group a module, each with ``register(subparsers)``.

Every command builds the one ``Settings`` here and passes it down.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys

# Subcommand modules under ui.cli; each defines register(subparsers) and sets a `func(args, settings)`.
COMMANDS: tuple[str, ...] = (
    "catalog",   # shopbot catalog generate|import
    "index",     # shopbot index
    "search",    # shopbot search
    "build",     # shopbot build (everything missing)
    "serve",     # shopbot serve
    "train",     # shopbot train nlu|generator|sequential
    "evaluate",  # shopbot eval nlu|generator
    "replay",    # shopbot replay
    "forget",    # shopbot forget USER
    "analytics", # shopbot analytics [--since 7d] [--policy weights.toml]
    "keys",      # shopbot keys [--origin URL] [--admin-password]
)

log = logging.getLogger("shopbot")


class UserError(Exception):
    """A problem with the user's input: printed as one clear line, exit code 2, no traceback."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopbot", description="Conversational shopping assistant")
    parser.add_argument("--data-dir", help="data directory (default ./.shopbot)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"ui.cli.{name}")
        except ModuleNotFoundError as exc:  # a command group not built yet
            if exc.name != f"ui.cli.{name}":
                raise
            continue
        module.register(sub)
    return parser


def make_settings(args: argparse.Namespace):
    from assistant.settings import Settings

    overrides = {}
    if args.data_dir:
        overrides["data_dir"] = args.data_dir
    if args.chroma_url:
        overrides["chroma_url"] = args.chroma_url
    return Settings(**overrides)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    try:
        settings = make_settings(args)
        return int(args.func(args, settings) or 0)
    except UserError as exc:
        print(f"shopbot: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shopbot: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
