"""Off-policy estimator accuracy and analytics cost: ``python -m bench.offpolicy [--seeds 20] [--slates 1000]``.

Accuracy: on a synthetic log with exact propensities and a known click model
(``bench.offpolicy_sim``), IPS / SNIPS / DR estimates of two other ranker weightings are compared
with their exact true value over several seeds: bias, RMSE, 95%-interval coverage and width. Baseline (same run):
the naive answer "the new weighting performs like the logged traffic" (the observed reward), so the RMSE ratio
shows what the estimators buy. Cost: median/p95 time of one ``estimate`` call and of the analytics summary over
an event log in SQLite (baseline: just reading the log). Writes bench/out/offpolicy.json; prints markdown tables.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from assistant.analytics.offpolicy import estimate
from bench.offpolicy_sim import simulate, write_slates
from assistant.analytics.rows import markdown_table
from assistant.analytics.target_policy import ReweightedPolicy
from assistant.settings import RankerWeights

OUT = Path(__file__).resolve().parent / "out" / "offpolicy.json"
LOGGING = RankerWeights()
TARGETS = {"relevance-heavy": RankerWeights(relevance=2.5, affinity=1.6, popularity=0.0, exploration=0.0),
           "popularity+explore": RankerWeights(relevance=0.0, affinity=0.0, popularity=1.0, exploration=1.5)}


def _p95(values: list[float]) -> float:
    return float(np.percentile(values, 95))


def accuracy(seeds: int, n_slates: int) -> tuple[dict, list[float]]:
    errors: dict[str, dict[str, list[tuple[float, bool, float]]]] = {t: {} for t in TARGETS}
    times = []
    for seed in range(seeds):
        slates, truth = simulate(n_slates, seed=seed, logging=LOGGING, targets=TARGETS)
        for name, w in TARGETS.items():
            start = time.perf_counter()
            rep = estimate(slates, ReweightedPolicy(w, LOGGING), LOGGING, name=name, n_boot=500, seed=seed)
            times.append(time.perf_counter() - start)
            for e in (rep.observed, rep.ips, rep.snips, rep.dr):
                key = "naive (observed)" if e.name == "observed" else e.name
                errors[name].setdefault(key, []).append((e.value - truth[name], e.contains(truth[name]), e.high - e.low))
    table = {}
    for name, per in errors.items():
        naive_rmse = float(np.sqrt(np.mean([d ** 2 for d, _, _ in per["naive (observed)"]])))
        table[name] = {}
        for est, vals in per.items():
            rmse = float(np.sqrt(np.mean([d ** 2 for d, _, _ in vals])))
            table[name][est] = {"bias": float(np.mean([d for d, _, _ in vals])), "rmse": rmse,
                                "rmse_vs_naive": rmse / naive_rmse if naive_rmse else None,
                                "coverage": float(np.mean([c for _, c, _ in vals])),
                                "median_ci_width": float(np.median([w for _, _, w in vals]))}
    return table, times


def summary_cost(n_sessions: int, repeats: int) -> dict:
    from assistant.analytics.source import load_conversations
    from assistant.analytics.summary import compute_summary
    from assistant.settings import Settings
    from assistant.stores import open_stores

    with tempfile.TemporaryDirectory() as tmp, open_stores(Settings(data_dir=Path(tmp))) as stores:
        engine, log = stores.engine, stores.events
        slates, _ = simulate(n_sessions, seed=1, logging=LOGGING, targets={})
        write_slates(log, slates)
        out = {}
        for label, fn in (("read_log_baseline", lambda: load_conversations(engine)),
                          ("summary", lambda: compute_summary(engine))):
            times = []
            for _ in range(repeats):
                start = time.perf_counter()
                fn()
                times.append(time.perf_counter() - start)
            out[label] = {"median_s": statistics.median(times), "p95_s": _p95(times)}
        out["summary_vs_baseline"] = out["summary"]["median_s"] / out["read_log_baseline"]["median_s"]
        engine.dispose()
    return {"sessions": n_sessions, "repeats": repeats, **out}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--slates", type=int, default=1000)
    ap.add_argument("--sessions", type=int, default=2000, help="conversations in the summary-cost log")
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args(argv)
    table, times = accuracy(args.seeds, args.slates)
    cost = summary_cost(args.sessions, args.repeats)
    result = {"seeds": args.seeds, "slates": args.slates, "impressions_per_slate": 4, "accuracy": table,
              "estimate_call": {"median_s": statistics.median(times), "p95_s": _p95(times), "n_boot": 500},
              "summary_cost": cost}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    rows = [(t, est, f"{v['bias']:+.4f}", f"{v['rmse']:.4f}",
             "-" if v["rmse_vs_naive"] is None else f"{v['rmse_vs_naive']:.2f}", f"{100 * v['coverage']:.0f}%",
             f"{v['median_ci_width']:.4f}") for t, per in table.items() for est, v in per.items()]
    print(f"Off-policy accuracy ({args.seeds} seeds x {args.slates} slates of 4; value = clicks per impression)\n")
    print(markdown_table(("target", "estimator", "bias", "RMSE", "RMSE / naive", "95% CI coverage", "median CI width"), rows))
    ec = result["estimate_call"]
    print(f"\nestimate() on {args.slates} slates, 500 bootstrap draws: median {1000 * ec['median_s']:.0f} ms, "
          f"p95 {1000 * ec['p95_s']:.0f} ms\n")
    print(markdown_table(("step", f"median s ({cost['sessions']} conversations)", "p95 s"),
                         [(k, f"{cost[k]['median_s']:.3f}", f"{cost[k]['p95_s']:.3f}") for k in ("read_log_baseline", "summary")]))
    print(f"\nsummary / read-log ratio: {cost['summary_vs_baseline']:.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
