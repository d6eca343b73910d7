"""Reply-writer benchmark: fine-tuned vs untuned quality on held-out fact sets, and fp32 vs int8 speed.

    python -m bench.generator [--n 300] [--n-untuned 50] [--speed-runs 12] [--speed fp32]

Quality (same held-out cases, same guard, same run): first-attempt guard pass rate, template fallback
rate, facts-covered rate, whole-reply p50/p95. The untuned base model runs on the first ``--n-untuned``
cases only when that is smaller than ``--n`` (it is slow and mostly falls back; the table says so).
Speed: time to first streamed piece (TTFT), decode tokens/s and whole-reply time for fp32 and dynamic
int8, p50/p95, with int8/fp32 ratios, plus int8's guard pass on the speed cases (quality kept?).
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

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
log = logging.getLogger("bench.generator")
OUT = Path(__file__).resolve().parent / "out" / "generator.json"


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else float("nan")


def speed_run(gen, guard, cases) -> dict:
    """Stream each case once (greedy): TTFT, decode tokens/s, whole-reply seconds, guard pass."""
    ttft, tps, whole, tokens, passed = [], [], [], [], 0
    for case in cases:
        start = time.perf_counter()
        first, pieces = None, []
        for piece in gen.stream(case.facts, 0):
            if first is None:
                first = time.perf_counter() - start
            pieces.append(piece)
        total = time.perf_counter() - start
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
            "guard_pass_rate": passed / max(1, len(cases))}


def _generators(adapter: Path):
    """fp32 and int8 fine-tuned generators and the untuned base, from ONE GGUF load (deep copies)."""
    import copy

    from assistant.writer.base_model import load_base_model, load_tokenizer
    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig

    base, tok = load_base_model(), load_tokenizer()
    gens = {mode: EmbeddedGenerator.from_base(copy.deepcopy(base), tok, adapter, GenerationConfig(speed=mode))
            for mode in ("fp32", "int8")}
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
    ap.add_argument("--speed", choices=("fp32", "int8"), default=None, help="CPU path for the quality run")
    ap.add_argument("--skip-quality", action="store_true")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings()
    guard = Guard(*catalog_names(settings))
    cases = heldout_cases(max(args.n, args.speed_runs))
    result: dict = {"load_avg_start": os.getloadavg()[0], "cpu_count": os.cpu_count()}
    gens, untuned = _generators(settings.generator_adapter_dir)
    speed = {}
    for mode, gen in gens.items():
        speed_run(gen, guard, cases[:1])  # warm-up
        speed[mode] = speed_run(gen, guard, cases[: args.speed_runs])
        log.info("%s: %s", mode, speed[mode])
    result["speed"] = speed
    result["speed_ratio_int8_over_fp32"] = {k: speed["int8"][k] / speed["fp32"][k] for k in
                                            ("ttft_p50_s", "tokens_per_s_p50", "reply_p50_s") if speed["fp32"][k]}
    _save(result)  # partial results survive an interrupted (slow) quality run
    if not args.skip_quality:
        mode = args.speed or settings.writer_speed
        result["quality"], result["quality_speed_mode"] = {}, mode
        result["quality"]["fine-tuned"] = evaluate(ReplyWriter(gens[mode], guard), cases[: args.n])[0]
        _save(result)
        del gens
        result["quality"]["untuned"] = evaluate(ReplyWriter(untuned(mode), guard), cases[: min(args.n, args.n_untuned)])[0]
    _save(result)
    print(markdown(result))
    return 0


def _save(result: dict) -> None:
    result["load_avg_end"] = os.getloadavg()[0]
    OUT.parent.mkdir(parents=True, exist_ok=True)
    tmp = OUT.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(result, indent=2), encoding="utf-8")
    os.replace(tmp, OUT)


def markdown(result: dict) -> str:
    lines = []
    if "quality" in result:
        lines += ["| model | n | guard pass (1st try) | fallback | facts covered | reply p50 s | reply p95 s |",
                  "|---|---|---|---|---|---|---|"]
        for name, q in result["quality"].items():
            lines.append(f"| {name} | {q['n']} | {q['guard_pass_rate']:.1%} | {q['fallback_rate']:.1%} | "
                         f"{q['facts_covered_rate']:.1%} | {q['p50_reply_s']:.2f} | {q['p95_reply_s']:.2f} |")
        lines.append("")
    lines += ["| CPU path | n | TTFT p50 s | TTFT p95 s | tokens/s p50 | reply p50 s | reply p95 s | tokens p50 | guard pass |",
              "|---|---|---|---|---|---|---|---|---|"]
    for mode, s in result["speed"].items():
        lines.append(f"| {mode} | {s['n']} | {s['ttft_p50_s']:.2f} | {s['ttft_p95_s']:.2f} | {s['tokens_per_s_p50']:.1f} | "
                     f"{s['reply_p50_s']:.2f} | {s['reply_p95_s']:.2f} | {s['tokens_p50']:.0f} | {s['guard_pass_rate']:.0%} |")
    ratio = result.get("speed_ratio_int8_over_fp32", {})
    lines.append("\nint8/fp32 ratios: " + ", ".join(f"{k} {v:.2f}x" for k, v in ratio.items()))
    lines.append(f"load average {result['load_avg_start']:.1f} -> {result['load_avg_end']:.1f} on {result['cpu_count']} CPUs")
    return "\n".join(lines)


if __name__ == "__main__":
    raise SystemExit(main())
