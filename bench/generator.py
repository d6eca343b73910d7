"""Reply-writer benchmark: fine-tuned vs untuned quality on held-out fact sets, and the speed of CPU paths.

    python -m bench.generator [--n 300] [--n-untuned 50] [--speed-runs 12] [--paths fp32,bf16+prefix] [--speed fp32]

Quality (same held-out cases, same guard, same run): first-attempt guard pass rate, template fallback
rate, facts-covered rate, whole-reply p50/p95. The untuned base model runs on the first ``--n-untuned``
cases only when that is smaller than ``--n`` (it is slow and mostly falls back; the table says so).
Speed: time to first streamed piece (TTFT), decode tokens/s, whole-reply time and process CPU time per
reply for each CPU path (``PATHS``: fp32, bf16, int8, with or without the reused prompt prefix), the paths
interleaved case by case so they share the machine's load, with ratios over the first path, plus each
path's guard pass on the speed cases (quality kept?).
Writes bench/out/generator.json and prints markdown tables. Timings are for THIS machine under its
current load (the load average is recorded).
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import statistics
import time
from pathlib import Path

from retrieval.atomic import write_text_atomic

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
log = logging.getLogger("bench.generator")
OUT = Path(__file__).resolve().parent / "out" / "generator.json"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def speed_run(gen, guard, cases) -> dict:
    """Stream each case once (greedy): TTFT, decode tokens/s, whole-reply seconds, guard pass."""
    ttft, tps, whole, tokens, cpu, passed = [], [], [], [], [], 0
    for case in cases:
        start, cpu_start = time.perf_counter(), time.process_time()
        first, pieces = None, []
        for piece in gen.stream(case.facts, 0):
            if first is None:
                first = time.perf_counter() - start
            pieces.append(piece)
        total = time.perf_counter() - start
        cpu.append(time.process_time() - cpu_start)
        text = "".join(pieces).strip()
        n_tok = len(gen.tok(text, add_special_tokens=False)["input_ids"])
        ttft.append(first if first is not None else total)
        whole.append(total)
        tokens.append(n_tok)
        tps.append(n_tok / max(1e-6, total - ttft[-1]) if n_tok > 1 else 0.0)
        passed += guard.check(text, case.facts).passed
    return {"n": len(cases), "ttft_p50_s": statistics.median(ttft), "ttft_p95_s": _pct(ttft, 0.95),
            "tokens_per_s_p50": statistics.median(tps), "reply_p50_s": statistics.median(whole),
            "reply_p95_s": _pct(whole, 0.95), "tokens_p50": statistics.median(tokens),
            "cpu_per_reply_p50_s": statistics.median(cpu),
            "guard_pass_rate": passed / max(1, len(cases))}


PATHS = {  # name -> (speed mode, reuse the system prompt's key/value cache)
    "fp32": ("fp32", False),  # the previous default
    "fp32+prefix": ("fp32", True),
    "bf16+prefix": ("bf16", True),  # the default on CPUs with native bf16 (writer_speed "auto")
    "int8": ("int8", False),
}


def _generators(adapter: Path, names: list[str]):
    """The fine-tuned generator on each CPU path and the untuned base, from ONE GGUF load (deep copies)."""
    import copy

    from assistant.writer.base_model import load_base_model, load_tokenizer
    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig

    base, tok = load_base_model(), load_tokenizer()
    gens = {name: EmbeddedGenerator.from_base(copy.deepcopy(base), tok, adapter,
                                              GenerationConfig(speed=PATHS[name][0], reuse_prefix=PATHS[name][1]))
            for name in names}
    return gens, lambda mode: EmbeddedGenerator.from_base(base, tok, None, GenerationConfig(speed=mode))


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import Settings
    from assistant.writer.factory import catalog_names
    from assistant.writer.guard import Guard
    from assistant.writer.writer import ReplyWriter
    from training.generator.data import heldout_cases
    from training.generator.evaluate import evaluate

    ap = argparse.ArgumentParser(prog="python -m bench.generator")
    ap.add_argument("--n", type=int, default=300)
    ap.add_argument("--n-untuned", type=int, default=50)
    ap.add_argument("--speed-runs", type=int, default=12)
    ap.add_argument("--paths", default="fp32,bf16+prefix", help=f"CPU paths to time, of {', '.join(PATHS)}")
    ap.add_argument("--speed", choices=tuple(PATHS), default=None, help="CPU path for the quality run")
    ap.add_argument("--skip-quality", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    guard = Guard(*catalog_names(settings))
    cases = heldout_cases(max(args.n, args.speed_runs))
    result: dict = {"load_avg_start": os.getloadavg()[0], "cpu_count": os.cpu_count()}
    names = [n.strip() for n in args.paths.split(",") if n.strip()]
    if any(n not in PATHS for n in names) or (args.speed and args.speed not in names):
        ap.error(f"--paths must name known paths ({', '.join(PATHS)}) including --speed")
    gens, untuned = _generators(settings.generator_adapter_dir, names)
    for gen in gens.values():
        speed_run(gen, guard, cases[:1])  # warm-up
    speed: dict[str, list[dict]] = {name: [] for name in gens}
    for case in cases[: args.speed_runs]:  # interleaved case by case: every path sees the same machine load
        for name, gen in gens.items():
            speed[name].append(speed_run(gen, guard, [case]))
    result["speed"] = {name: _merge(runs) for name, runs in speed.items()}
    first = result["speed"][names[0]]
    result["speed_ratio_over_" + names[0]] = {
        name: {k: s[k] / first[k] for k in ("ttft_p50_s", "tokens_per_s_p50", "reply_p50_s", "cpu_per_reply_p50_s")
               if first[k]} for name, s in result["speed"].items()}
    _save(result)  # partial results survive an interrupted (slow) quality run
    if not args.skip_quality:
        mode = args.speed or names[0]
        result["quality"], result["quality_speed_mode"] = {}, mode
        result["quality"]["fine-tuned"] = evaluate(ReplyWriter(gens[mode], guard), cases[: args.n])[0]
        _save(result)
        del gens
        result["quality"]["untuned"] = evaluate(ReplyWriter(untuned(PATHS[mode][0]), guard),
                                                cases[: min(args.n, args.n_untuned)])[0]
    _save(result)
    print(markdown(result))
    return 0


def _merge(runs: list[dict]) -> dict:
    """One speed summary from single-case runs."""
    def col(key: str) -> list[float]:
        return [r[key] for r in runs]

    return {"n": len(runs), "ttft_p50_s": statistics.median(col("ttft_p50_s")), "ttft_p95_s": _pct(col("ttft_p50_s"), 0.95),
            "tokens_per_s_p50": statistics.median(col("tokens_per_s_p50")), "reply_p50_s": statistics.median(col("reply_p50_s")),
            "reply_p95_s": _pct(col("reply_p50_s"), 0.95), "tokens_p50": statistics.median(col("tokens_p50")),
            "cpu_per_reply_p50_s": statistics.median(col("cpu_per_reply_p50_s")),
            "guard_pass_rate": sum(col("guard_pass_rate")) / max(1, len(runs))}


def _save(result: dict) -> None:
    result["load_avg_end"] = os.getloadavg()[0]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(result, indent=2))


def markdown(result: dict) -> str:
    lines = []
    if "quality" in result:
        lines += ["| model | n | guard pass (1st try) | fallback | facts covered | reply p50 s | reply p95 s |",
                  "|---|---|---|---|---|---|---|"]
        for name, q in result["quality"].items():
            lines.append(f"| {name} | {q['n']} | {q['guard_pass_rate']:.1%} | {q['fallback_rate']:.1%} | "
                         f"{q['facts_covered_rate']:.1%} | {q['p50_reply_s']:.2f} | {q['p95_reply_s']:.2f} |")
        lines.append("")
    lines += ["| CPU path | n | TTFT p50 s | TTFT p95 s | tokens/s p50 | reply p50 s | reply p95 s | CPU s/reply p50 | "
              "tokens p50 | guard pass |", "|---|---|---|---|---|---|---|---|---|---|"]
    for mode, s in result["speed"].items():
        lines.append(f"| {mode} | {s['n']} | {s['ttft_p50_s']:.2f} | {s['ttft_p95_s']:.2f} | {s['tokens_per_s_p50']:.1f} | "
                     f"{s['reply_p50_s']:.2f} | {s['reply_p95_s']:.2f} | {s['cpu_per_reply_p50_s']:.2f} | "
                     f"{s['tokens_p50']:.0f} | {s['guard_pass_rate']:.0%} |")
    for key, ratios in result.items():
        if key.startswith("speed_ratio_over_"):
            for name, r in ratios.items():
                lines.append(f"{name} / {key[len('speed_ratio_over_'):]}: " + ", ".join(f"{k} {v:.2f}x" for k, v in r.items()))
    lines.append(f"load average {result['load_avg_start']:.1f} -> {result['load_avg_end']:.1f} on {result['cpu_count']} CPUs")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
