"""`shopbot train generator` and `shopbot eval generator`."""

from __future__ import annotations

import json
import logging
from pathlib import Path

log = logging.getLogger(__name__)


def register(sub) -> None:
    from training.generator.train import TrainConfig

    d = TrainConfig()
    p = sub.add_parser("generator", help="LoRA-tune the reply writer (writes assistant/artifacts/generator by default)")
    p.add_argument("--out", type=Path, help="output directory (default: Settings.generator_adapter_dir)")
    p.add_argument("--n-cases", type=int, default=d.n_cases, help="generated fact -> reply training cases")
    p.add_argument("--steps", type=int, default=d.steps)
    p.add_argument("--batch-size", type=int, default=d.batch_size)
    p.add_argument("--lr", type=float, default=d.lr)
    p.add_argument("--rank", type=int, default=d.rank)
    p.add_argument("--minutes", type=float, default=d.time_budget_s / 60, help="wall-time budget; stops early")
    p.add_argument("--seed", type=int, default=d.seed)
    p.add_argument("--resume", type=Path, help="continue training this adapter (fresh LR schedule, new cases via --seed)")
    p.add_argument("--tiny", action="store_true", help="3 steps on 24 cases into --out (smoke test)")
    p.set_defaults(func=run_train)


def register_eval(sub) -> None:
    p = sub.add_parser("generator", help="held-out fact -> reply evaluation of the writer (guard/fallback/coverage)")
    p.add_argument("--n", type=int, default=300, help="held-out cases (seeded, unseen products)")
    p.add_argument("--adapter", type=Path, help="adapter directory (default: Settings.generator_adapter_dir)")
    p.add_argument("--untuned", action="store_true", help="evaluate the base model without the adapter")
    p.add_argument("--speed", choices=("fp32", "bf16", "int8", "auto"), help="CPU path (default: Settings.writer_speed)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.set_defaults(func=run_eval)


def _user_error(msg: str) -> Exception:
    from assistant.errors import UserError

    return UserError(msg)


def run_train(args, settings) -> int:
    from training.generator.data import build_cases
    from training.generator.train import TrainConfig, train

    out = Path(args.out or settings.generator_adapter_dir)
    if args.tiny and args.out is None:
        raise _user_error("--tiny needs --out (it must not replace the shipped adapter)")
    cfg = TrainConfig(n_cases=24 if args.tiny else args.n_cases, steps=3 if args.tiny else args.steps,
                      batch_size=2 if args.tiny else args.batch_size, lr=args.lr, rank=args.rank,
                      time_budget_s=args.minutes * 60, seed=args.seed, log_every=1 if args.tiny else 2)
    if cfg.n_cases < cfg.batch_size:
        raise _user_error("--n-cases must be at least --batch-size")
    report = train(cfg, out, build_cases(cfg.n_cases, cfg.seed), resume_from=args.resume)
    first, last = (report.loss_curve[0][1], report.loss_curve[-1][1]) if report.loss_curve else (float("nan"),) * 2
    print(f"trained {report.steps} steps in {report.seconds:.0f} s (loss {first:.3f} -> {last:.3f}); saved to {out}")
    return 0


def build_eval_writer(settings, adapter: Path | None, untuned: bool, speed: str | None):
    from assistant.artifact import ArtifactError
    from assistant.writer.base_model import WriterModelError
    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig
    from assistant.writer.factory import catalog_names
    from assistant.writer.guard import Guard
    from assistant.writer.writer import ReplyWriter

    try:
        backend = EmbeddedGenerator.load(None if untuned else (adapter or settings.generator_adapter_dir),
                                         GenerationConfig(speed=speed or settings.writer_speed))
    except (ArtifactError, WriterModelError) as exc:
        raise _user_error(str(exc)) from None
    return ReplyWriter(backend, Guard(*catalog_names(settings)), name="untuned" if untuned else "embedded")


def run_eval(args, settings) -> int:
    from training.generator.data import heldout_cases
    from training.generator.evaluate import evaluate

    if args.n < 1:
        raise _user_error("--n must be at least 1")
    writer = build_eval_writer(settings, args.adapter, args.untuned, args.speed)
    summary, _ = evaluate(writer, heldout_cases(args.n))
    summary = {"model": "untuned" if args.untuned else "fine-tuned", "speed": args.speed or settings.writer_speed, **summary}
    if args.json:
        print(json.dumps(summary))
    else:
        for key, value in summary.items():
            print(f"{key}: {value}")
    return 0
