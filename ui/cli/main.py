"""`shopbot` command line: one subcommand group a module, each with ``register(subparsers)``.

Every command builds the one ``Settings`` here and passes it down.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

from assistant.errors import UserError
from ui.cli import analytics, build, catalog, evaluate, forget, index, keys, replay, search, serve, train

# Each command group module defines register(subparsers) and sets a `func(args, settings)`.
COMMANDS = (
    catalog,    # shopbot catalog generate|import
    index,      # shopbot index
    search,     # shopbot search
    build,      # shopbot build (everything missing)
    serve,      # shopbot serve
    train,      # shopbot train nlu|generator|sequential
    evaluate,   # shopbot eval nlu|generator|search
    replay,     # shopbot replay
    forget,     # shopbot forget USER
    analytics,  # shopbot analytics [--since 7d] [--policy weights.toml]
    keys,       # shopbot keys [--origin URL] [--admin-password]
)

log = logging.getLogger("shopbot")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shopbot", description="Conversational shopping assistant")
    parser.add_argument("--data-dir", help="data directory (default ./.shopbot)")
    parser.add_argument("--chroma-url", help="use a Chroma server instead of the embedded store")
    parser.add_argument("-v", "--verbose", action="store_true")
    sub = parser.add_subparsers(dest="command", required=True)
    for module in COMMANDS:
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
