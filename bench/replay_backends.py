"""Replay of many conversations: the local process pool vs Ray actors (issue 18), same seed, same data dir.

``python -m bench.replay_backends --data-dir .shopbot --n 1000 --workers 2``

The shipped transcripts (tests/transcripts) are cycled to ``--n`` conversations (copy ``k`` of a conversation
gets the id ``<id>#k``, so every one is replayed, none is taken from a checkpoint) and replayed with the
template writer (``--no-generate``: generation would measure the writer, not the backend) through the real
Assistant, once per backend, each into a fresh output directory. Reported: wall time, conversations/s, the
Ray/pool throughput ratio, and whether the two runs gave the same records turn by turn (reply, intent,
action, products, verdicts; timings differ by nature, and return/ticket/refund ids are random by design, so
they are masked). Ray runs in-process (``ray.init()`` on this machine,
as ``shopbot replay --backend ray`` without ``--address``).
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import shutil
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = Path(__file__).resolve().parent / "out" / "replay_backends"
log = logging.getLogger(__name__)


def conversations(n: int):
    from ui.replay.transcripts import load_transcripts

    base = load_transcripts(sorted((ROOT / "tests" / "transcripts").glob("*.jsonl"))).conversations
    out = []
    for k in range(n):
        conv = base[k % len(base)]
        copy = k // len(base)
        out.append(conv if copy == 0 else replace(conv, id=f"{conv.id}#{copy}",
                                                  source=json.dumps([copy, conv.source])))
    return out


REFERENCE = re.compile(r"\b[RTF]-[0-9A-F]{6}\b")  # return / ticket / refund ids: random by design (unguessable)


def comparable(records) -> list[tuple]:
    """What must agree between backends; reference ids are masked (new random ids on every order change)."""
    return [(r.key, r.turn_index, REFERENCE.sub("<ref>", r.reply), r.intent, r.action, r.products, r.verdicts)
            for r in records]


def run(settings, convs, backend: str, workers: int) -> tuple[float, list]:
    from ui.replay.runner import ReplayOptions, run_replay

    out = OUT / backend
    shutil.rmtree(out, ignore_errors=True)
    opts = ReplayOptions(out=out, workers=workers, generate=False, seed=settings.seed, backend=backend, progress=False)
    start = time.perf_counter()
    result = run_replay(convs, settings, opts)
    return time.perf_counter() - start, list(result.records)


def main(argv: list[str] | None = None) -> int:
    from assistant.settings import Settings
    from ui.cli.build import run_steps

    ap = argparse.ArgumentParser(prog="python -m bench.replay_backends")
    ap.add_argument("--data-dir", type=Path, default=ROOT / ".shopbot")
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=2)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = Settings(data_dir=args.data_dir)
    run_steps(settings, ["catalog", "index", "orders", "policies"])
    convs = conversations(args.n)
    rows, records = {}, {}
    for backend in ("local", "ray"):
        wall, records[backend] = run(settings, convs, backend, args.workers)
        rows[backend] = {"conversations": len(convs), "turns": len(records[backend]), "wall_s": round(wall, 1),
                         "conversations_per_s": round(len(convs) / wall, 2)}
        log.info("%s: %s", backend, rows[backend])
    same = comparable(records["local"]) == comparable(records["ray"])
    ratio = rows["ray"]["conversations_per_s"] / rows["local"]["conversations_per_s"]
    report = {"workers": args.workers, "backends": rows, "ray_vs_pool": round(ratio, 2), "identical_records": same}
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "result.json").write_text(json.dumps(report, indent=2))
    print("| backend | conversations | turns | wall s | conversations/s |\n|---|---:|---:|---:|---:|")
    for name, r in rows.items():
        print(f"| {name} | {r['conversations']} | {r['turns']} | {r['wall_s']} | {r['conversations_per_s']} |")
    print(f"\nRay / pool throughput: {ratio:.2f}x; identical records: {same}")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
