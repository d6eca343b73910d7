"""Redaction quality and speed (issue 16, item 3).

    python -m bench.security_redaction [--module PATH] [--chars 200000] [--timeout 180]

* the PII corpus (tests/assistant/data/pii_corpus.tsv): strings fully redacted / total;
* the product queries with numbers (tests/assistant/data/product_queries.txt): changed / total;
* real shopper queries containing a digit from ../shared/data (WANDS, QueryNER, ESCI; read in place): changed / total;
* wall and CPU seconds to redact a ``--chars`` input, for realistic chat text and for adversarial shapes (each case runs in its
  own process, killed after ``--timeout`` s).

``--module`` evaluates another implementation of ``redact`` (a file defining it), e.g. the code before issue 16:
``git show 382005f:assistant/privacy.py > /tmp/privacy_before.py``.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import logging
import multiprocessing as mp
import re
import sys
import time
from pathlib import Path

log = logging.getLogger("bench.security_redaction")
REPO = Path(__file__).resolve().parents[1]
DATA = REPO / "tests" / "assistant" / "data"
SHARED = REPO.parent / "shared" / "data"
PROSE = ("I want running shoes size 10 under $120, order 10023 is late; call 415-555-0134 or mail john dot doe at "
         "gmail dot com, ship to 221B Baker Street. ")
SHAPES = {  # adversarial repetitions: long runs that a careless pattern rescans from every position
    "chat text": PROSE, "one long word": "a", "dotted word": "a.", "at-chain": "a@", "'a dot '": "a dot ",
    "'me at '": "me at ", "digits": "1", "spaced digits": "1 ", "4-digit groups": "4111 ",
    "10-digit numbers": "4155550134 ", "house numbers": "12 Main ", "capitalised words": "12 Abc Def Ghi ",
    "[at]/[dot]": "a[at]b[dot]",
}


def load_redact(module: str | None):
    if module is None:
        from assistant.privacy import redact
        return redact
    spec = importlib.util.spec_from_file_location("redact_under_test", module)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod.redact


def pii_corpus() -> list[tuple[str, str, list[str]]]:
    rows = []
    for line in (DATA / "pii_corpus.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, text, secrets = line.split("\t")
            rows.append((kind, text, secrets.split(" || ")))
    return rows


def product_queries() -> list[str]:
    return [q for q in (DATA / "product_queries.txt").read_text(encoding="utf-8").splitlines()
            if q.strip() and not q.startswith("#")]


def real_queries_with_digits() -> list[str]:
    queries: set[str] = set()
    wands = SHARED / "wands-queries" / "query.csv"
    if wands.exists():
        queries.update(row["query"] for row in csv.DictReader(wands.open(encoding="utf-8"), delimiter="\t"))
    for name in ("train.jsonl", "dev.jsonl"):
        path = SHARED / "queryner" / name
        if path.exists():
            queries.update(json.loads(line)["query"] for line in path.open(encoding="utf-8") if line.strip())
    for path in (SHARED / "esci-judgments" / "esci_us_judgments.csv", SHARED / "esci-shop" / "queries_dev.csv"):
        if path.exists():
            queries.update(row["query"] for row in csv.DictReader(path.open(encoding="utf-8")))
    return sorted(q for q in queries if q and re.search(r"\d", q))


def quality(redact) -> dict:
    rows = pii_corpus()
    leaks = [text for kind, text, secrets in rows if any(s in redact(text).text for s in secrets)]
    products = product_queries()
    changed = [q for q in products if redact(q).text != q]
    real = real_queries_with_digits()
    real_changed = [(q, redact(q).text) for q in real if redact(q).text != q]
    return {"pii": len(rows), "pii_redacted": len(rows) - len(leaks), "pii_leaks": leaks[:15],
            "products": len(products), "products_changed": len(changed), "products_changed_examples": changed[:15],
            "real_queries": len(real), "real_changed": len(real_changed), "real_changed_examples": real_changed[:15]}


def _time_case(module: str | None, text: str, out) -> None:
    redact = load_redact(module)
    start, cpu = time.perf_counter(), time.process_time()
    redact(text)
    out.put((round(time.perf_counter() - start, 3), round(time.process_time() - cpu, 3)))


def timing(module: str | None, chars: int, timeout: float) -> dict[str, tuple[float, float] | None]:
    """(wall, CPU) seconds per shape (None: still running after ``timeout``), each in a fresh process; CPU time
    is the fair figure on a shared machine."""
    ctx = mp.get_context("spawn")
    results: dict[str, tuple[float, float] | None] = {}
    for name, unit in SHAPES.items():
        text = (unit * (chars // len(unit) + 1))[:chars]
        queue = ctx.Queue()
        proc = ctx.Process(target=_time_case, args=(module, text, queue))
        proc.start()
        proc.join(timeout)
        if proc.is_alive():
            proc.terminate()
            proc.join()
            results[name] = None
        else:
            results[name] = queue.get()
        log.info("%-18s %s", name, "timeout" if results[name] is None else "wall %.3f s, cpu %.3f s" % results[name])
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--module", help="a file defining redact(text) (default: assistant.privacy)")
    parser.add_argument("--chars", type=int, default=200_000)
    parser.add_argument("--timeout", type=float, default=180.0)
    parser.add_argument("--no-timing", action="store_true")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    report = {"module": args.module or "assistant.privacy", **quality(load_redact(args.module))}
    if not args.no_timing:
        report["seconds"] = timing(args.module, args.chars, args.timeout)
        done = [s for s in report["seconds"].values() if s is not None]
        report["worst_wall_seconds"] = None if len(done) < len(SHAPES) else max(w for w, _ in done)
        report["worst_cpu_seconds"] = None if len(done) < len(SHAPES) else max(c for _, c in done)
    json.dump(report, sys.stdout, indent=1)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
