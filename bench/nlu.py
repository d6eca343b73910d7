"""NLU benchmark: held-out accuracy/F1, inference latency (single p50/p95, batched throughput),
and real-query checks (WANDS furniture queries, BANKING77 as out-of-domain).

    python -m bench.nlu [--model DIR] [--n-latency 200]

Writes bench/out/nlu.json and prints markdown tables. Baselines computed in the same run: the fp32
model (accuracy and latency of the weights as trained), the unmerged-adapter model (LoRA applied at run
time), the process-default thread count, and one-at-a-time parsing for throughput.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import statistics
import time
from collections import Counter
from pathlib import Path

from retrieval.atomic import write_text_atomic

log = logging.getLogger("bench.nlu")
OUT = Path(__file__).resolve().parent / "out" / "nlu.json"
SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
CS_INTENTS = ("out_of_scope", "payment_issue", "refund_status", "account_help")


def _pct(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(q * (len(xs) - 1))))]


def _summary(times: list[float]) -> dict:
    return {"n": len(times), "p50_ms": round(statistics.median(times), 2), "p95_ms": round(_pct(times, 0.95), 2)}


def latency(*parsers, texts: list[str]) -> list[dict]:
    """Single-utterance latency of each parser, measured interleaved (utterance by utterance) so that a
    shared machine's changing load hits all of them alike."""
    for p in parsers:
        for t in texts[:10]:
            p.parse(t)  # warm-up
    times: list[list[float]] = [[] for _ in parsers]
    for t in texts:
        for i, p in enumerate(parsers):
            s = time.perf_counter()
            p.parse(t)
            times[i].append((time.perf_counter() - s) * 1000)
    return [_summary(ts) for ts in times]


def throughput(parser, texts: list[str], batch_size: int) -> float:
    s = time.perf_counter()
    parser.parse_batch(texts, batch_size=batch_size)
    return round(len(texts) / (time.perf_counter() - s), 1)


def unmerged_parser(model_dir: Path, threshold: float):
    from assistant.nlu.model import load_model
    from assistant.nlu.parser import NluParser

    model, tok, manifest = load_model(model_dir, merge=False)
    return NluParser(model, tok, manifest, threshold=threshold)


def wands(parser) -> dict | None:
    path = SHARED / "wands-queries" / "query.csv"
    if not path.is_file():
        log.warning("WANDS queries not found at %s; skipped", path)
        return None
    with path.open(encoding="utf-8") as fh:
        queries = [r["query"] for r in csv.DictReader(fh, delimiter="\t")]
    parses = parser.parse_batch(queries)
    typed = [any(e.type == "PRODUCT_TYPE" for e in p.entities) for p in parses]
    search = [p.intent == "search_products" for p in parses]
    return {"n": len(queries), "share_product_type": round(sum(typed) / len(queries), 4),
            "share_search_products": round(sum(search) / len(queries), 4),
            "share_both": round(sum(a and b for a, b in zip(typed, search)) / len(queries), 4),
            "intents": dict(Counter(p.intent for p in parses).most_common(6))}


def banking77(parser) -> dict | None:
    path = SHARED / "banking77" / "test.csv"
    if not path.is_file():
        log.warning("BANKING77 not found at %s; skipped", path)
        return None
    with path.open(encoding="utf-8") as fh:
        texts = [r["text"] for r in csv.DictReader(fh)]
    parses = parser.parse_batch(texts)
    counts = Counter(p.intent for p in parses)
    low = sum(p.low_confidence for p in parses)
    return {"n": len(texts), "share_cs_or_oos": round(sum(counts[i] for i in CS_INTENTS) / len(texts), 4),
            "share_low_confidence": round(low / len(texts), 4),
            "by_intent": {i: round(c / len(texts), 4) for i, c in counts.most_common(8)}}


def queryner(parser) -> dict | None:
    """Exact-span F1 per mapped type on the QueryNER dev split (training/nlu/queryner.py has the mapping)."""
    from training.nlu.queryner import evaluate, read_rows

    path = SHARED / "queryner" / "dev.jsonl"
    if not path.is_file():
        log.warning("QueryNER not found at %s; skipped", path)
        return None
    return evaluate(parser, read_rows(path))


def _write(result: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(result, indent=2))


def _eval_rows(name: str, ev: dict) -> list[str]:
    t = ev["test"]
    rows = [f"| {name}: held-out intent accuracy / macro-F1 (n={t['n']}) | {t['intent_accuracy']:.4f} / {t['intent_macro_f1']:.4f} |",
            f"| {name}: held-out entity P / R / F1 (seqeval strict) | {t['entity_precision']:.4f} / {t['entity_recall']:.4f} / {t['entity_f1']:.4f} |"]
    if "bitext_test" in ev:
        b = ev["bitext_test"]
        rows.append(f"| {name}: held-out Bitext intent accuracy (n={b['n']}) | {b['intent_accuracy']:.4f} |")
    return rows


def table(result: dict) -> str:
    lat, tp, mode = result["latency"], result["throughput"], result["default_speed"]
    rows = ["| measure | value |", "|---|---|"]
    for name in (mode, "fp32", "int8"):
        label = f"{name} (default)" if name == mode else (f"{name} (baseline)" if name == "fp32" else name)
        rows += _eval_rows(label, result["eval"][name])
    rows += [
        f"| single-utterance latency p50 / p95, {mode} (default) | {lat[mode]['p50_ms']} / {lat[mode]['p95_ms']} ms |",
        f"| baseline: fp32 merged p50 / p95 | {lat['fp32']['p50_ms']} / {lat['fp32']['p95_ms']} ms |",
        f"| int8 p50 / p95 | {lat['int8']['p50_ms']} / {lat['int8']['p95_ms']} ms |",
        f"| baseline: fp32 unmerged adapters p50 / p95 | {lat['unmerged']['p50_ms']} / {lat['unmerged']['p95_ms']} ms |",
        f"| latency ratio {mode} / fp32 (p50) | {lat['ratio_p50']:.2f} |",
        f"| {mode} with torch default {lat['default_threads']['threads']} threads, p50 / p95 (n={lat['default_threads']['n']}) | "
        f"{lat['default_threads']['p50_ms']} / {lat['default_threads']['p95_ms']} ms |",
        f"| batched throughput, batch 32: {mode} / fp32 | {tp['default_batch32']} / {tp['fp32_batch32']} utt/s |",
        f"| baseline: {mode} one at a time | {tp['single']} utt/s |",
        f"| batched speed-up ({mode} batch 32 / one at a time) | {tp['speedup']:.2f}x |",
        f"| NLU threads / load average during the run | 1 / {result['loadavg']} |",
    ]
    if result.get("wands"):
        w = result["wands"]
        rows.append(f"| WANDS queries with PRODUCT_TYPE / search_products / both (n={w['n']}) | "
                    f"{w['share_product_type']:.3f} / {w['share_search_products']:.3f} / {w['share_both']:.3f} |")
    if result.get("banking77"):
        k = result["banking77"]
        rows.append(f"| BANKING77 test in out_of_scope+payment+refund+account (n={k['n']}) | {k['share_cs_or_oos']:.3f} |")
    if result.get("queryner_dev"):
        q = result["queryner_dev"]
        f1 = {t: q["per_type"].get(t, {}).get("f1-score", 0.0) for t in ("PRODUCT_TYPE", "BRAND", "COLOR", "MATERIAL")}
        rows.append(f"| QueryNER dev exact-span F1 PRODUCT_TYPE / BRAND / COLOR / MATERIAL / micro of the four (n={q['n']}) | "
                    + " / ".join(f"{v:.3f}" for v in f1.values()) + f" / {q['core_micro']['f1-score']:.3f} |")
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    ap = argparse.ArgumentParser(prog="python -m bench.nlu")
    ap.add_argument("--model", type=Path)
    ap.add_argument("--n-latency", type=int, default=300)
    args = ap.parse_args(argv)

    import torch

    from assistant.nlu.parser import NluParser
    from assistant.settings import Settings
    from assistant.speed import resolve_speed
    from training.nlu.cli import held_out_figures
    from training.nlu.data import build_dataset

    settings = Settings()
    model_dir = args.model or settings.nlu_model_dir
    thr, mode = settings.nlu_confidence_threshold, resolve_speed(settings.nlu_speed)
    parsers = {name: NluParser.load(model_dir, threshold=thr, speed=name) for name in dict.fromkeys((mode, "fp32", "int8"))}
    default = parsers[mode]
    unmerged = unmerged_parser(model_dir, thr)
    unmerged.num_threads = 1
    texts = [ex.text for ex in build_dataset(n_train=0, n_dev=0).test]
    timed = latency(*parsers.values(), unmerged, texts=texts[: args.n_latency])
    lat = dict(zip([*parsers, "unmerged"], timed))
    default.num_threads = None  # the process-wide torch default (one thread per core), on a small sample
    all_threads, = latency(default, texts=texts[:40])
    default.num_threads = 1
    bulk = texts[:512]
    single = round(len(bulk[:128]) / sum(_timed(default.parse, t) for t in bulk[:128]), 1)
    result = {
        "model_dir": str(model_dir), "loadavg": round(os.getloadavg()[0], 2), "default_speed": mode,
        "latency": {**lat, "ratio_p50": round(lat[mode]["p50_ms"] / lat["fp32"]["p50_ms"], 3),
                    "default_threads": {**all_threads, "threads": torch.get_num_threads()}},
        "throughput": {"default_batch32": throughput(default, bulk, 32), "fp32_batch32": throughput(parsers["fp32"], bulk, 32),
                       "single": single},
        "eval": {name: held_out_figures(p) for name, p in parsers.items()},
        "wands": wands(default), "banking77": banking77(default), "queryner_dev": queryner(default),
    }
    result["throughput"]["speedup"] = round(result["throughput"]["default_batch32"] / single, 2)
    _write(result)
    print(table(result))
    return 0


def _timed(fn, arg) -> float:
    s = time.perf_counter()
    fn(arg)
    return time.perf_counter() - s


if __name__ == "__main__":
    raise SystemExit(main())
