"""Replay of the shipped transcripts (tests/transcripts) through the real Assistant: the template writer
(baseline, ``--no-generate``) and the generator, side by side, in one run.

``python -m bench.replay [--data-dir .shopbot] [--workers 1] [--gen-every K] [--no-generated] [--resume]``

Builds what is missing in the data dir (``shopbot build`` steps), replays into bench/out/replay-{template,
generated}/ (the full reports: report.html, report.json, turns.parquet), prints a markdown table of the
headline metrics with the generated/template ratio, and writes bench/out/replay.json. The template run
covers every transcript; the generated run covers every ``--gen-every``-th conversation (generation on
CPU is slow) and is compared with the template metrics of exactly those conversations. Each run
starts from scratch (its checkpoint is removed) unless ``--resume``.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import shutil
import time
from pathlib import Path

from retrieval.atomic import write_text_atomic

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out"
TRANSCRIPTS = sorted((ROOT / "tests" / "transcripts").glob("*.jsonl"))
ROWS = ("intent_accuracy", "action_accuracy", "entity_micro_f1", "product_constraint_rate", "reply_check_rate",
        "expectation_pass_rate", "guard_pass_rate", "unfaithful_mentions", "clarification_rate", "fallback_rate",
        "coverage", "mean_distinct_brands", "mean_distinct_categories", "latency_p50_ms", "latency_p95_ms",
        "conversations_per_s")


def replay_once(settings, convs, generate: bool, workers: int, resume: bool):
    from ui.replay.runner import ReplayOptions, run_replay, write_reports

    out = OUT / f"replay-{'generated' if generate else 'template'}"
    if not resume:
        shutil.rmtree(out, ignore_errors=True)
    opts = ReplayOptions(out=out, workers=workers, generate=generate, seed=settings.seed, progress=True)
    start = time.perf_counter()
    run = run_replay(convs, settings, opts)
    seconds = time.perf_counter() - start
    write_reports(run, opts)
    return run, seconds


def summarise(run, seconds: float | None, keys: set[str] | None = None) -> dict:
    from ui.replay.metrics import compute_metrics

    records = [r for r in run.records if keys is None or r.key in keys]
    m = compute_metrics(records, run.catalog_size).to_dict()
    busy_s = sum(r.wall_ms for r in records) / 1000  # time inside handle(), comparable across subsets
    m["conversations_per_s"] = m["conversations"] / busy_s if busy_s else None
    m["wall_s"] = seconds if run.resumed == 0 else None
    m["stages"] = {s["stage"]: {"p50_ms": s["p50_ms"], "p95_ms": s["p95_ms"]} for s in m["latency"]}
    return m


def _cell(v) -> str:
    if v is None:
        return "n/a"
    return f"{v:.3f}" if isinstance(v, float) else str(v)


def table(template: dict, generated: dict | None) -> str:
    head = "| metric | template (baseline) |" + (" generated | generated / template |" if generated else "")
    sep = "|---|---:|" + ("---:|---:|" if generated else "")
    lines = [head, sep]
    for k in ROWS:
        row = f"| {k} | {_cell(template.get(k))} |"
        if generated:
            a, b = template.get(k), generated.get(k)
            ratio = f"{b / a:.2f}x" if isinstance(a, (int, float)) and isinstance(b, (int, float)) and a else "n/a"
            row += f" {_cell(b)} | {ratio} |"
        lines.append(row)
    stages = sorted(set(template["stages"]) | set((generated or {}).get("stages", {})))
    for s in stages:
        t = template["stages"].get(s)
        row = f"| {s} p50 / p95 ms | {t['p50_ms']:.1f} / {t['p95_ms']:.1f} |" if t else f"| {s} p50 / p95 ms | n/a |"
        if generated:
            g = generated["stages"].get(s)
            ratio = f"{g['p50_ms'] / t['p50_ms']:.2f}x" if g and t and t["p50_ms"] >= 1.0 else "n/a"  # sub-ms: noise
            row += (f" {g['p50_ms']:.1f} / {g['p95_ms']:.1f} | {ratio} |" if g else " n/a | n/a |")
        lines.append(row)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    for k, v in (("HF_HUB_OFFLINE", "1"), ("TRANSFORMERS_OFFLINE", "1"), ("ANONYMIZED_TELEMETRY", "False"),
                 ("TOKENIZERS_PARALLELISM", "false")):
        os.environ.setdefault(k, v)
    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--no-generated", action="store_true", help="only the template baseline")
    parser.add_argument("--gen-every", type=int, default=1, help="generated run on every K-th conversation (default all)")
    parser.add_argument("--resume", action="store_true", help="continue the runs in bench/out/replay-*")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    from assistant.settings import Settings
    from ui.cli.build import run_steps
    from ui.replay.transcripts import load_transcripts

    settings = Settings(**({"data_dir": args.data_dir} if args.data_dir else {}))
    run_steps(settings)
    convs = load_transcripts(TRANSCRIPTS).conversations
    t_run, t_secs = replay_once(settings, convs, False, args.workers, args.resume)
    template_all = summarise(t_run, t_secs)
    template = generated = None
    if not args.no_generated:
        subset = convs[:: max(1, args.gen_every)]
        g_run, g_secs = replay_once(settings, subset, True, args.workers, args.resume)
        keys = {c.key for c in subset}
        template = summarise(t_run, None, keys)
        generated = summarise(g_run, g_secs)
    OUT.mkdir(parents=True, exist_ok=True)
    result = {"transcripts": [p.name for p in TRANSCRIPTS], "workers": args.workers, "template_all": template_all,
              "generated_subset": {"conversations": generated["conversations"] if generated else 0,
                                   "template": template, "generated": generated}}
    write_text_atomic(OUT / "replay.json", json.dumps(result, indent=2))
    print(f"All {template_all['conversations']} conversations, template writer:\n")
    print(table(template_all, None))
    if generated:
        print(f"\nThe same {generated['conversations']} conversations, template (baseline) vs generated:\n")
        print(table(template, generated))
    print(f"\nwrote {OUT / 'replay.json'}; full reports in {OUT}/replay-*/report.html")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
