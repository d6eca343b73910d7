"""Where the shipped NLU's PRODUCT_TYPE errors are, and how consistent QueryNER's own boundaries are.

    python -m bench.nlu_errors [--model assistant/artifacts/nlu] [--out bench/out/nlu_errors.json]

1. Every gold PRODUCT_TYPE span the shipped model misses, by kind, on the held-back slice of QueryNER train
   and on QueryNER dev: the predicted span is *longer* (it takes in a modifier the annotator left out),
   *shorter*, *crossing* it, or there is none (*missed*); and predicted spans that overlap no gold span
   (*spurious*). Boundary kinds are the part of the error that is a choice of where the type starts.
2. How consistently QueryNER's annotators drew that boundary themselves (train + dev, no model): for every
   word pair (w, head) where ``head`` ends a gold PRODUCT_TYPE span and ``w`` is the word just before the
   span or a word inside it, "is w in the span?" is one boundary decision. Over the pairs seen at least
   twice, the share of decisions that agree with the majority for that pair is the best any tagger that
   decides from the pair alone could score; the pairs decided both ways are listed.

Writes bench/out/nlu_errors.json (``--out``).
"""

from __future__ import annotations

import argparse
import json
import logging
from collections import Counter, defaultdict
from pathlib import Path

from assistant.nlu.parser import NluParser
from bench.nlu_recipes import decoded_bio, held_back_rows, tag_log_probs
from retrieval.atomic import write_text_atomic
from training.nlu.data import shared_data_dir
from training.nlu.queryner import QueryNerRow, mapped_bio, read_rows

log = logging.getLogger("bench.nlu_errors")
OUT = Path(__file__).resolve().parent / "out" / "nlu_errors.json"
KINDS = ("exact", "longer", "shorter", "crossing", "missed", "spurious")


def spans_of(bio: list[str], etype: str = "PRODUCT_TYPE") -> list[tuple[int, int]]:
    """[start, end) token ranges of the ``etype`` spans of one BIO sequence (an I- after O starts a span)."""
    out: list[list[int]] = []
    for i, tag in enumerate(bio):
        if tag == f"B-{etype}" or (tag == f"I-{etype}" and not (out and out[-1][1] == i)):
            out.append([i, i + 1])
        elif tag == f"I-{etype}":
            out[-1][1] = i + 1
    return [(a, b) for a, b in out]


def error_kinds(gold: list[str], pred: list[str], etype: str = "PRODUCT_TYPE") -> Counter:
    """Each gold span of one query as exact/longer/shorter/crossing/missed, and each predicted span that
    overlaps no gold span as spurious."""
    g, p = spans_of(gold, etype), spans_of(pred, etype)
    kinds: Counter = Counter()
    for a in g:
        if a in p:
            kinds["exact"] += 1
            continue
        b = next((b for b in p if b[0] < a[1] and a[0] < b[1]), None)
        if b is None:
            kinds["missed"] += 1
        elif b[0] <= a[0] and b[1] >= a[1]:
            kinds["longer"] += 1
        elif b[0] >= a[0] and b[1] <= a[1]:
            kinds["shorter"] += 1
        else:
            kinds["crossing"] += 1
    kinds.update("spurious" for b in p if not any(b[0] < a[1] and a[0] < b[1] for a in g))
    return kinds


def breakdown(gold: list[list[str]], pred: list[list[str]]) -> dict[str, int]:
    total: Counter = Counter()
    for g, p in zip(gold, pred):
        total += error_kinds(g, p)
    return {k: total[k] for k in KINDS}


def boundary_consistency(rows: list[QueryNerRow], min_count: int = 2) -> dict:
    """Majority agreement of QueryNER's own left-boundary decisions per (word, head word) pair."""
    decisions: dict[tuple[str, str], list[bool]] = defaultdict(list)
    for row in rows:
        words = [w.lower() for w in row.tokens]
        for a, b in spans_of(mapped_bio(row.tokens, row.labels)):
            for i in range(max(0, a - 1), b - 1):
                decisions[(words[i], words[b - 1])].append(i >= a)
    seen = {k: v for k, v in decisions.items() if len(v) >= min_count}
    n = sum(len(v) for v in seen.values())
    majority = sum(max(sum(v), len(v) - sum(v)) for v in seen.values())
    both = sorted(((k, sum(v), len(v)) for k, v in seen.items() if 0 < sum(v) < len(v)), key=lambda x: -x[2])
    return {"decisions": n, "pairs": len(seen), "majority_agreement": round(majority / n, 4) if n else 0.0,
            "pairs_decided_both_ways": len(both),
            "most_seen_both_ways": [{"pair": " ".join(k), "inside": c, "seen": m} for k, c, m in both[:12]]}


def run(model_dir: Path) -> dict:
    folder = shared_data_dir() / "queryner"
    parser = NluParser.load(model_dir, speed="fp32")
    out: dict = {}
    for name, rows in (("held_back_train", held_back_rows(folder)), ("dev", read_rows(folder / "dev.jsonl"))):
        lps = tag_log_probs(parser.model, parser.tokenizer, [" ".join(r.tokens) for r in rows])
        pred = decoded_bio(rows, lps, parser.tags, parser.transitions)
        out[name] = breakdown([mapped_bio(r.tokens, r.labels) for r in rows], pred)
        log.info("%s: %s", name, out[name])
    out["queryner_boundary_consistency"] = boundary_consistency(
        read_rows(folder / "train.jsonl") + read_rows(folder / "dev.jsonl"))
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", type=Path, default=Path(__file__).resolve().parents[1] / "assistant" / "artifacts" / "nlu")
    ap.add_argument("--out", type=Path, default=OUT, help=f"JSON of the figures (default {OUT})")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    if not (shared_data_dir() / "queryner" / "dev.jsonl").is_file():
        ap.error(f"QueryNER not found at {shared_data_dir() / 'queryner'}")
    results = run(args.model)
    write_text_atomic(args.out, json.dumps(results, indent=2))
    print("| set | gold spans | " + " | ".join(KINDS) + " |\n|---|" + "---|" * (len(KINDS) + 1))
    for name in ("held_back_train", "dev"):
        r = results[name]
        gold = sum(r[k] for k in KINDS if k != "spurious")
        print(f"| {name} | {gold} | " + " | ".join(str(r[k]) for k in KINDS) + " |")
    c = results["queryner_boundary_consistency"]
    print(f"\nQueryNER boundary decisions seen >= 2 times: {c['decisions']} over {c['pairs']} word pairs; "
          f"majority agreement {c['majority_agreement']:.3f}; {c['pairs_decided_both_ways']} pairs decided both ways")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
