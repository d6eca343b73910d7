"""Next-item accuracy on the Amazon Beauty / Sports sequences (S3-Rec files), leave-one-out, full ranking
over all items with the user's history excluded: our SASRec-style model, popularity and item-kNN in one run,
beside the published SASRec / S3-Rec figures.

    python -m bench.recs_nextitem [--datasets Beauty Sports_and_Outdoors] [--epochs 30] [--minutes 20]
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import torch

from retrieval.atomic import write_text_atomic
from training.sequential.baselines import item_knn_scorer, popularity_scorer
from training.sequential.data import leave_one_out, load_amazon
from training.sequential.evaluate import full_rank_metrics
from training.sequential.train import TrainConfig, scorer, train

log = logging.getLogger("bench.recs_nextitem")
REPO = Path(__file__).resolve().parents[1]
DATA = REPO.parent / "shared" / "data" / "amazon-seq"
OUT = REPO / "bench" / "out" / "recs_nextitem.json"
METRICS = ("HR@10", "NDCG@10", "HR@20", "NDCG@20")
PUBLISHED = {  # S3-Rec paper, full ranking (../shared/data/amazon-seq/SOURCE.md)
    "Beauty": {"SASRec": (0.0605, 0.0318, 0.0902, 0.0394), "S3-Rec": (0.0647, 0.0327, 0.0994, 0.0414),
               "PopRec": (0.0152, 0.0068, 0.0217, 0.0084)},
    "Sports_and_Outdoors": {"SASRec": (0.0350, 0.0192, 0.0507, 0.0231), "S3-Rec": (0.0385, 0.0204, 0.0607, 0.0260),
                            "PopRec": (0.0094, 0.0053, 0.0192, 0.0078)},
}


def run_dataset(name: str, tcfg: TrainConfig, model_kwargs: dict) -> dict:
    data = load_amazon(DATA / f"{name}.txt", DATA / f"{name}_item2attributes.json")
    split = leave_one_out(data.sequences)
    rows: dict[str, dict] = {}
    t = time.perf_counter()
    rows["Popularity"] = full_rank_metrics(popularity_scorer(split.train, data.num_items), split.test_inputs, split.test_targets)
    rows["Popularity"]["train_s"] = 0.0
    t = time.perf_counter()
    knn = item_knn_scorer(split.train, data.num_items)
    fit = time.perf_counter() - t
    rows["Item-kNN"] = full_rank_metrics(knn, split.test_inputs, split.test_targets)
    rows["Item-kNN"]["train_s"] = fit
    log.info("%s baselines done: %s", name, rows)
    result = train(data, tcfg, model_kwargs, split)
    ours = full_rank_metrics(scorer(result.model), split.test_inputs, split.test_targets)
    label = "SASRec-CE (ours" + (", +attributes)" if result.model.cfg.num_attributes else ")")
    rows[label] = {**ours, "train_s": result.seconds, "epochs": result.epochs_run, "best_epoch": result.best_epoch}
    return {"users": len(split.test_targets), "items": data.num_items, "rows": rows, "history": result.history,
            "published": {k: dict(zip(METRICS, v)) for k, v in PUBLISHED.get(name, {}).items()}}


def table(name: str, res: dict) -> str:
    lines = [f"### {name} ({res['users']} users, {res['items']} items; full ranking, history excluded)", "",
             "| Model | HR@10 | NDCG@10 | HR@20 | NDCG@20 | NDCG@10 vs SASRec (published) | Train time |",
             "|---|---|---|---|---|---|---|"]
    sasrec = res["published"].get("SASRec", {}).get("NDCG@10")
    for model, m in res["rows"].items():
        ratio = f"{m['NDCG@10'] / sasrec:.2f}x" if sasrec else "-"
        extra = f" ({m['epochs']} epochs, best {m['best_epoch']})" if "epochs" in m else ""
        lines.append(f"| {model} | " + " | ".join(f"{m[k]:.4f}" for k in METRICS) + f" | {ratio} | {m['train_s']:.0f} s{extra} |")
    for model, m in res["published"].items():
        lines.append(f"| {model} (published, S3-Rec paper) | " + " | ".join(f"{m[k]:.4f}" for k in METRICS) + " | "
                     + (f"{m['NDCG@10'] / sasrec:.2f}x" if sasrec else "-") + " | - |")
    return "\n".join(lines)


def write_json(payload: dict) -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(OUT, json.dumps(payload, indent=2))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--datasets", nargs="+", default=["Beauty"])
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--minutes", type=float, default=20.0, help="training budget per dataset")
    ap.add_argument("--negatives", type=int, default=256, help="0 = full softmax")
    ap.add_argument("--batch-size", type=int, default=256)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--no-attributes", action="store_true")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--merge", action="store_true", help="keep other datasets' results already in the JSON")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (1 is fastest on a shared, busy CPU)")
    args = ap.parse_args(argv)
    torch.set_num_threads(args.threads)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s")
    if not DATA.is_dir():
        print(f"dataset folder {DATA} not found; nothing to benchmark", file=sys.stderr)
        return 0
    tcfg = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, lr=args.lr, seed=args.seed, eval_every=2,
                       patience=3, max_minutes=args.minutes, negatives=args.negatives, use_attributes=not args.no_attributes)
    model_kwargs = {"hidden": 64, "max_len": 50, "dropout": 0.5, "layers": 2, "heads": 2}
    payload = {"command": "python -m bench.recs_nextitem " + " ".join(argv or sys.argv[1:]), "torch_threads": torch.get_num_threads(),
               "train_config": tcfg.__dict__, "model": model_kwargs, "datasets": {}}
    if args.merge and OUT.is_file():
        payload["datasets"] = json.loads(OUT.read_text()).get("datasets", {})
    for name in args.datasets:
        if not (DATA / f"{name}.txt").is_file():
            print(f"{name}.txt not found in {DATA}; skipped", file=sys.stderr)
            continue
        payload["datasets"][name] = run_dataset(name, tcfg, model_kwargs)
        write_json(payload)
        print(table(name, payload["datasets"][name]) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
