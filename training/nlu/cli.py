"""`shopbot train nlu` and `shopbot eval nlu`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)

TINY = {"n_train": 400, "n_dev": 100, "n_test": 200, "max_steps": 30, "eval_every": 10}
QUERYNER_REPEATS = 1  # chosen on QueryNER dev (bench/RESULTS.md)


def register(sub) -> None:
    p = sub.add_parser("nlu", help="fine-tune the joint intent + entity model (writes assistant/artifacts/nlu by default)")
    p.add_argument("--out", type=Path, help="output directory (default: Settings.nlu_model_dir)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--epochs", type=int, default=6, help="passes over the training set (default 6: chosen on QueryNER dev, bench/RESULTS.md)")
    p.add_argument("--max-steps", type=int, default=None)
    p.add_argument("--lora-layers", type=int, default=None,
                   help="LoRA in the top N of the 6 encoder layers (default: NluConfig's; the rest stay frozen)")
    p.add_argument("--n-train", type=int, default=12000, help="generated training utterances (plus Bitext when present)")
    p.add_argument("--no-bitext", action="store_true", help="do not add the Bitext customer-service utterances")
    p.add_argument("--queryner", type=Path, default=None,
                   help="QueryNER folder (train.jsonl) of real labelled search queries (default: ../shared/data/queryner when present)")
    p.add_argument("--no-queryner", action="store_true", help="do not add the QueryNER real search queries")
    p.add_argument("--queryner-repeats", type=int, default=QUERYNER_REPEATS,
                   help=f"copies of each QueryNER training query (default {QUERYNER_REPEATS})")
    p.add_argument("--with-reviewed", action="store_true",
                   help="add the reviewer labels of the misunderstood-turn inbox to the training split")
    p.add_argument("--tiny", action="store_true", help="a few steps on a tiny set (smoke test)")
    p.add_argument("--no-progress", action="store_true")
    p.set_defaults(func=run_train)


def register_eval(sub) -> None:
    p = sub.add_parser("nlu", help="evaluate the NLU model on the held-out split or a JSONL file")
    p.add_argument("--model", type=Path, help="model directory (default: Settings.nlu_model_dir)")
    p.add_argument("--data", type=Path, help='JSONL of {"text","intent","entities":[["TYPE","surface"],...]}')
    p.add_argument("--queryner", type=Path, metavar="FILE_OR_DIR",
                   help="QueryNER JSONL (tokens + BIO labels), or a folder holding dev.jsonl: exact-span F1 per mapped type")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--seed", type=int, default=13, help="seed of the held-out split (as trained)")
    p.add_argument("--speed", choices=("auto", "fp32", "bf16", "int8"), help="CPU speed mode (default: Settings.nlu_speed)")
    p.set_defaults(func=run_eval)


def _user_error(msg: str) -> Exception:
    from assistant.errors import UserError

    return UserError(msg)


def _bitext_dir(no_bitext: bool) -> Path | None:
    from training.nlu.data import shared_data_dir

    return Path("/nonexistent") if no_bitext else shared_data_dir() / "bitext-cs"


def run_train(args, settings) -> int:
    from assistant.nlu.model import NluConfig
    from training.nlu.data import build_dataset
    from training.nlu.queryner import QueryNerTrain
    from training.nlu.train import TrainConfig, train
    from training.nlu.transitions import attach as attach_transitions

    out = args.out or settings.nlu_model_dir
    sizes = TINY if args.tiny else {"n_train": args.n_train, "n_dev": 1200, "n_test": 2000}
    data = build_dataset(seed=args.seed, n_train=sizes["n_train"], n_dev=sizes["n_dev"], n_test=sizes["n_test"],
                         bitext_dir=_bitext_dir(args.no_bitext))
    train_ex, dev_ex = (data.train[: sizes["n_train"]], data.dev[: sizes["n_dev"]]) if args.tiny else (data.train, data.dev)
    real = _queryner_train(args)
    if args.tiny:
        real = QueryNerTrain(real.train[: sizes["n_train"] // 4], real.dev[: sizes["n_dev"] // 4])
    train_ex, dev_ex = _mix(train_ex, real.train, args.seed), dev_ex + real.dev
    if args.with_reviewed:
        train_ex = train_ex + reviewed_examples(settings)
    cfg = TrainConfig(seed=args.seed, epochs=args.epochs, progress=not args.no_progress,
                      max_steps=TINY["max_steps"] if args.tiny and args.max_steps is None else args.max_steps,
                      eval_every=TINY["eval_every"] if args.tiny else TrainConfig.eval_every)
    log.info("training NLU on %d utterances (%d dev) -> %s", len(train_ex), len(dev_ex), out)
    extra = {"data": {"seed": args.seed, "n_train": len(train_ex), "n_dev": len(dev_ex), "bitext": not args.no_bitext,
                      "queryner_train": len(real.train), "queryner_dev": len(real.dev),
                      "queryner_repeats": args.queryner_repeats if real.train else 0}}
    model_cfg = NluConfig() if args.lora_layers is None else NluConfig(lora_layers=args.lora_layers)
    _, result = train(train_ex, dev_ex, Path(out), cfg, model_cfg, extra_manifest=extra)
    attach_transitions(Path(out), train_ex)  # the decoder's tag-bigram prior, listed in the manifest
    print(f"trained {result.steps} steps in {result.seconds:.0f} s; dev intent accuracy {result.dev_intent_accuracy:.3f}, "
          f"dev token F1 {result.dev_tag_f1:.3f}{' (early stop)' if result.stopped_early else ''}; saved to {out}")
    return 0


def _queryner_train(args):
    from training.nlu.data import shared_data_dir
    from training.nlu.queryner import QueryNerError, QueryNerTrain, training_split

    if args.no_queryner:
        return QueryNerTrain([], [])
    folder = args.queryner or shared_data_dir() / "queryner"
    if args.queryner is not None and not (folder / "train.jsonl").is_file():
        raise _user_error(f"--queryner {folder}: no train.jsonl there")
    if args.queryner_repeats < 0:
        raise _user_error("--queryner-repeats must be >= 0")
    try:
        return training_split(folder, args.seed, repeats=args.queryner_repeats)
    except QueryNerError as exc:
        raise _user_error(str(exc)) from None


def _mix(generated: list, real: list, seed: int) -> list:
    """The generated and the real training examples, shuffled together (fixed seed)."""
    import random

    out = generated + real
    random.Random(f"{seed}-mix").shuffle(out)
    return out


REVIEWED_REPEATS = 3  # a reviewed label is a rare, real correction: weigh it like three generated examples


def reviewed_examples(settings) -> list:
    """The inbox's reviewer labels as training examples (training split only, never dev or test)."""
    from assistant.analytics import inbox
    from assistant.analytics.source import AnalyticsError
    from assistant.stores import open_stores
    from training.nlu.render import Example

    examples = []
    with open_stores(settings) as stores:
        labels = inbox.reviewed(stores.engine)
    for label in labels:
        try:
            ex = Example(label.text, label.intent, inbox.label_spans(label), source="reviewed")
        except AnalyticsError as exc:
            log.warning("skipping reviewed label %s: %s", label.ref, exc)
            continue
        examples.extend([ex] * REVIEWED_REPEATS)
    log.info("adding %d reviewed labels (x%d) to the training split", len(examples) // REVIEWED_REPEATS, REVIEWED_REPEATS)
    return examples


def _load_parser(args, settings):
    from assistant.artifact import ArtifactError
    from assistant.nlu.parser import NluParser

    try:
        return NluParser.load(args.model or settings.nlu_model_dir, threshold=settings.nlu_confidence_threshold,
                              speed=args.speed or settings.nlu_speed)
    except ArtifactError as exc:
        raise _user_error(str(exc)) from None


def run_eval(args, settings) -> int:
    from training.nlu.evaluate import EvalDataError, evaluate_jsonl

    parser = _load_parser(args, settings)
    if args.queryner:
        return _eval_queryner(parser, args)
    if args.data:
        try:
            result = evaluate_jsonl(parser, args.data)
        except EvalDataError as exc:
            raise _user_error(str(exc)) from None
        if args.json:
            print(json.dumps(result))
        else:
            for k, v in result.items():
                print(f"{k}: {v}")
        return 0
    figures = held_out_figures(parser, args.seed)
    if args.json:
        print(json.dumps(figures))
    else:
        print(format_report(figures))
    return 0


def _eval_queryner(parser, args) -> int:
    from training.nlu.queryner import QueryNerError, evaluate, format_report, read_rows

    path = args.queryner / "dev.jsonl" if args.queryner.is_dir() else args.queryner
    try:
        rows = read_rows(path)
    except QueryNerError as exc:
        raise _user_error(str(exc)) from None
    figures = evaluate(parser, rows)
    print(json.dumps(figures) if args.json else format_report(figures))
    return 0


def held_out_figures(parser, seed: int = 13) -> dict:
    """The held-out generated test split and the held-out Bitext part, as one dict of figures."""
    from training.nlu.data import build_dataset
    from training.nlu.evaluate import confusion_table, evaluate_examples

    data = build_dataset(seed=seed, n_train=0, n_dev=0)
    test = evaluate_examples(parser, data.test)
    out = {"test": {**test.summary(), "per_type": test.per_type, "per_intent_f1": test.per_intent_f1,
                    "confusion": [list(x) for x in confusion_table(test)]}}
    if data.bitext_test:
        bt = evaluate_examples(parser, data.bitext_test)
        out["bitext_test"] = {**bt.summary(), "confusion": [list(x) for x in confusion_table(bt)]}
    return out


def format_report(fig: dict) -> str:
    lines = []
    for name, part in fig.items():
        lines += [f"## {name} (n={part['n']})", "", "| metric | value |", "|---|---|"]
        lines += [f"| {k} | {part[k]:.4f} |" for k in ("intent_accuracy", "intent_macro_f1", "entity_precision", "entity_recall", "entity_f1")]
        if part.get("per_type"):
            lines += ["", "| entity | precision | recall | F1 | support |", "|---|---|---|---|---|"]
            lines += [f"| {t} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | {int(v['support'])} |" for t, v in sorted(part["per_type"].items())]
        if part.get("confusion"):
            lines += ["", "| gold intent | predicted | count |", "|---|---|---|"]
            lines += [f"| {g} | {p} | {c} |" for g, p, c in part["confusion"]]
        lines.append("")
    return "\n".join(lines)


