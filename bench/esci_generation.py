"""Replies with generation on a real catalog: the ESCI dev queries against the ESCI store.

    python -m bench.esci_generation --data-dir /work/stores/esci [--mode chat|facts|both] [--limit N]

Two ways in, same writer and guard as the Assistant uses (``writer_from_settings``):
- ``chat``: each dev query is the first turn of a new session through ``Assistant.handle`` (generation
  on): what a shopper sees, including clarifications and "nothing found" turns.
- ``facts``: each dev query's first ``k`` human-judged Exact products (judgments_dev.csv, in file order),
  as a search reply's facts ("Here are N <query>." + the products), straight to the writer: the writer on
  real products whatever search and the dialogue layer show.

Figures per mode: fallback rate (shown reply is the template after failed attempts), first-attempt guard
pass, attempt-level guard pass, guard failure kinds, **unfaithful mentions** and turn/reply latency
p50/p95. Unfaithful mentions are computed here independently of the guard (``unfaithful``): catalog names
and brands found in the reply that are not the facts' products, name-like segments of the reply that
no single fact product covers, and bracketed prices after a fact product's name that are not its price. Writes bench/out/esci_generation.json; timings are for this (shared) machine.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import re
import statistics
import tempfile
import time
import unicodedata
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
log = logging.getLogger("bench.esci_generation")
REPO = Path(__file__).resolve().parents[1]
QUERIES = REPO.parent / "shared" / "data" / "esci-shop" / "queries_dev.csv"
OUT = REPO / "bench" / "out" / "esci_generation.json"
_SEGMENT = re.compile(r"[,;:()!?\n]|\.(?:\s|$)|\s(?:and|or|from|for|at|by|is|are|costs?|with|in)\s|\$\d[\d.,]*")
_COMMON = frozenset("the a an here are is my top pick picks you might like have look at this these those it for and or "
                    "of with in on to from by price not listed yes no sorry i we our your which one do mean good "
                    "news great choice try check out both all each".split())


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))] if ordered else 0.0


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text).split())


def _words(text: str) -> set[str]:
    out = set(_norm(text).split())
    return out | {w[:-1] for w in out if w.endswith("s") and len(w) > 3}


@dataclass
class Catalog:
    """What the independent checker knows about the store: names and brands of every product."""

    names: dict[str, set[str]]  # normalised display name / title -> product ids
    brands: dict[str, str]  # normalised brand -> brand

    @classmethod
    def of(cls, products) -> "Catalog":
        names: dict[str, set[str]] = {}
        for p in products:
            for n in {p.title, p.name}:
                key = _norm(n)
                if len(key.split()) >= 2 and len(key) >= 8:
                    names.setdefault(key, set()).add(p.id)
        brands = {_norm(p.brand): p.brand for p in products if len(_norm(p.brand)) >= 3}
        return cls(names, brands)


def unfaithful(reply: str, facts, catalog: Catalog) -> list[str]:
    """Product names in the reply that are not the facts' products (independent of the guard):
    1. a catalog title or display name written in the reply whose products are none of the facts';
    2. a catalog brand (capitalised in the reply) that is no fact product's brand and not in the notes;
    3. a name-like segment (split at punctuation and connectives) holding a fact brand or 2+ capitalised
       words, whose capitalised words are not all words of ONE fact product's title/display name."""
    norm = f" {_norm(reply)} "
    fact_ids = {p.id for p in facts.products}
    notes = _norm(" ".join([*facts.notes, *facts.policies, facts.answer or ""]))
    fact_names = " | ".join(f" {_norm(p.title)} | {_norm(p.name)} " for p in facts.products)
    bad = [f"name: {n}" for n, ids in catalog.names.items() if f" {n} " in norm and not ids & fact_ids
           and n not in notes and f" {n} " not in fact_names]
    fact_brands = {_norm(p.brand) for p in facts.products}
    for key, brand in catalog.brands.items():
        if f" {key} " in norm and key not in fact_brands and f" {key} " not in f" {notes} " \
                and f" {key} " not in fact_names \
                and re.search(r"\b" + re.escape(brand) + r"\b", reply, re.I) and any(c.isupper() for c in brand[:1]):
            hit = re.search(r"\b" + re.escape(brand.split()[0]) + r"\b", reply, re.I)
            if hit and hit.group(0)[:1].isupper():
                bad.append(f"brand: {brand}")
    product_words = [_words(p.title) | _words(p.name) for p in facts.products]
    for seg in _SEGMENT.split(reply):
        caps = [w for w in re.findall(r"[A-Za-z0-9][\w'’®.-]*", seg) if w[:1].isupper() or re.search(r"\d", w)]
        caps = [w for w in caps if _norm(w) and _norm(w) not in _COMMON and not re.fullmatch(r"\d+(\.\d+)?", w)]
        has_brand = any(f" {b} " in f" {_norm(seg)} " for b in fact_brands if b)
        if len(caps) < 2 and not has_brand:
            continue
        keys = {k for w in caps for k in _words(w)}
        if keys and not any(keys <= words for words in product_words) and _norm(seg) not in notes:
            bad.append(f"segment: {seg.strip()}")
    return bad + wrong_prices(reply, facts)


def wrong_prices(reply: str, facts) -> list[str]:
    """A bracketed price right after a fact product's name that is not that product's price ("the X ($14.25)"
    where $14.25 is another product's, or "(price not listed)" after a priced one)."""
    prices: dict[str, set] = {}
    for p in facts.products:
        for name in {p.title, p.name}:
            if name and len(name) > 3:
                prices.setdefault(name.lower(), set()).add(None if p.price is None else round(p.price, 2))
    bad = []
    for name in sorted(prices, key=len, reverse=True):
        for m in re.finditer(re.escape(name) + r"\s*\((?:\$([\d,]+(?:\.\d+)?)|(price not listed))\)", reply, re.I):
            said = None if m.group(2) else round(float(m.group(1).replace(",", "")), 2)
            if said not in prices[name] and not any(len(n) > len(name) and n.endswith(name)
                                                    and reply.lower()[:m.start()].endswith(n[:-len(name)])
                                                    for n in prices):
                bad.append(f"price: {m.group(0)}")
    return bad


def load_queries(path: Path, limit: int | None) -> list[str]:
    with path.open(newline="", encoding="utf-8") as f:
        rows = [r["query"].strip() for r in csv.DictReader(f) if r.get("query", "").strip()]
    return rows[:limit] if limit else rows


def _delta(after: Counter, before: Counter, key: str) -> int:
    return after.get(key, 0) - before.get(key, 0)


def run_chat(settings, queries: list[str], catalog: Catalog, partial: Path | None = None) -> list[dict]:
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime

    assistant = Assistant(build_runtime(settings, generate=True))
    writer = assistant.writer
    texts = _record_attempts(writer)
    rows = []
    for q in queries:
        texts.clear()
        before = Counter(writer.stats) if writer else Counter()
        sid = assistant.new_session("bench-esci")
        start = time.perf_counter()
        turn = assistant.handle(sid, "bench-esci", q, generate=True)
        ms = (time.perf_counter() - start) * 1000
        after = Counter(writer.stats) if writer else Counter()
        facts = turn.facts
        if len(rows) % 10 == 9:
            log.warning("chat: %d/%d", len(rows) + 1, len(queries))
        rows.append({"query": q, "action": turn.action.value, "reply": turn.reply, "products": len(turn.products),
                     "fallback": turn.fallback, "first_pass": _delta(after, before, "guard_failures") == 0,
                     "failures": [k.split(":", 1)[1] for k in after if k.startswith("guard_failure:")
                                  for _ in range(_delta(after, before, k))],
                     "unfaithful": unfaithful(turn.reply, facts, catalog) if facts else [], "ms": ms,
                     "attempts": _delta(after, before, "guard_failures") + (0 if turn.fallback else 1),
                     "attempt_texts": list(texts)})
        _keep(rows, partial)
    return rows


def _record_attempts(writer) -> list[str]:
    """The model's raw text of each attempt of the current turn (bench only: the writer logs failure kinds,
    never text), kept in the rows to read why a reply fell back."""
    texts: list[str] = []
    backend = getattr(writer, "backend", None)
    if backend is not None:
        generate = backend.generate

        def recording(facts, attempt=0):
            text = generate(facts, attempt)
            texts.append(text)
            return text
        backend.generate = recording
    return texts


def judged_facts(by_id: dict, judged: dict[str, list[str]], query: str, k: int):
    from assistant.grammar import here_are
    from assistant.records import Action, ReplyFacts

    products = tuple(by_id[i] for i in judged.get(query, []) if i in by_id)[:k]
    note = here_are(len(products), query) + "." if products else "I couldn't find anything matching that."
    return ReplyFacts("search_products", Action.SEARCH, query, products=products, notes=(note,))


def load_judged(path: Path) -> dict[str, list[str]]:
    """query -> ids of its Exact products, in file order."""
    out: dict[str, list[str]] = {}
    with path.open(newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r.get("esci_label") == "E":
                out.setdefault(r["query"].strip(), []).append(r["asin"])
    return out


def _keep(rows: list[dict], partial: Path | None) -> None:
    """Append the last row to the partial file (a long run on a busy machine can be read before it ends)."""
    if partial is not None:
        with partial.open("a", encoding="utf-8") as f:
            f.write(json.dumps(rows[-1]) + "\n")


def run_facts(settings, queries: list[str], catalog: Catalog, k: int, products, judgments: Path,
              partial: Path | None = None) -> list[dict]:
    from assistant.writer.factory import writer_from_settings

    by_id = {p.id: p for p in products}
    judged = load_judged(judgments)
    writer = writer_from_settings(settings)
    rows = []
    for q in queries:
        facts = judged_facts(by_id, judged, q, k)
        start = time.perf_counter()
        written = writer.write(facts)
        ms = (time.perf_counter() - start) * 1000
        if len(rows) % 10 == 9:
            log.warning("facts: %d/%d", len(rows) + 1, len(queries))
        rows.append({"query": q, "action": facts.action.value, "reply": written.text, "products": len(facts.products),
                     "fallback": written.fallback, "first_pass": not written.failures and not written.fallback,
                     "failures": list(written.failures), "unfaithful": unfaithful(written.text, facts, catalog),
                     "ms": ms, "attempts": written.attempts})
        _keep(rows, partial)
    return rows


def summary(rows: list[dict]) -> dict:
    n = max(1, len(rows))
    attempts = sum(r["attempts"] for r in rows)
    passed_attempts = sum(1 for r in rows if r["attempts"] and not r["fallback"])
    ms = [r["ms"] for r in rows]
    return {"n": len(rows), "with_products": sum(r["products"] > 0 for r in rows),
            "fallback_rate": round(sum(r["fallback"] for r in rows) / n, 4),
            "first_attempt_guard_pass": round(sum(r["first_pass"] for r in rows) / n, 4),
            "attempt_guard_pass": round(passed_attempts / max(1, attempts), 4),
            "unfaithful_replies": sum(bool(r["unfaithful"]) for r in rows),
            "unfaithful_mentions": sum(len(r["unfaithful"]) for r in rows),
            "failure_kinds": dict(Counter(k for r in rows for k in r["failures"]).most_common()),
            "p50_ms": round(statistics.median(ms), 1) if ms else 0.0, "p95_ms": round(_pct(ms, 0.95), 1)}


def table(results: dict[str, dict]) -> str:
    lines = ["| mode | n | with products | fallback | guard pass (1st attempt) | guard pass (attempts) | "
             "unfaithful mentions | p50 s | p95 s |", "|---|---|---|---|---|---|---|---|---|"]
    for mode, s in results.items():
        lines.append(f"| {mode} | {s['n']} | {s['with_products']} | {s['fallback_rate']:.1%} | "
                     f"{s['first_attempt_guard_pass']:.1%} | {s['attempt_guard_pass']:.1%} | {s['unfaithful_mentions']} | "
                     f"{s['p50_ms'] / 1000:.2f} | {s['p95_ms'] / 1000:.2f} |")
    return "\n".join(lines)


def summarise_partial(path: Path) -> dict:
    """Figures from a partial file (``--summarise FILE``)."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return summary(rows)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data-dir", type=Path, default=None, help="a store built from the ESCI catalog (required)")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--mode", choices=("chat", "facts", "both"), default="both")
    ap.add_argument("--limit", type=int, default=None)
    ap.add_argument("--k", type=int, default=5, help="products per reply in facts mode")
    ap.add_argument("--out", type=Path, default=OUT)
    ap.add_argument("--summarise", type=Path, default=None, help="print the figures of a .partial.jsonl file and exit")
    args = ap.parse_args(argv)
    if args.summarise:
        print(table({args.summarise.name: summarise_partial(args.summarise)}))
        return 0
    if args.data_dir is None:
        ap.error("--data-dir is required")
    logging.basicConfig(level=logging.ERROR)
    log.setLevel(logging.WARNING)
    if not args.queries.is_file():
        print(f"bench.esci_generation: no queries at {args.queries}")
        return 2
    from assistant.settings import Settings
    from retrieval.catalog.io import load_catalog

    args.out.parent.mkdir(parents=True, exist_ok=True)
    for mode in ("facts", "chat"):
        args.out.with_suffix(f".{mode}.partial.jsonl").unlink(missing_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-esci-gen-"))
    settings = Settings(data_dir=args.data_dir, database_url=f"sqlite:///{scratch / 'bench.db'}", generate=True)
    products = load_catalog(settings.catalog_path)
    catalog = Catalog.of(products)
    queries = load_queries(args.queries, args.limit)
    runs: dict[str, list[dict]] = {}
    if args.mode in ("facts", "both"):
        runs["facts"] = run_facts(settings, queries, catalog, args.k, products, args.queries.with_name("judgments_dev.csv"),
                                  args.out.with_suffix(".facts.partial.jsonl"))
    if args.mode in ("chat", "both"):
        runs["chat"] = run_chat(settings, queries, catalog, args.out.with_suffix(".chat.partial.jsonl"))
    results = {m: summary(rows) for m, rows in runs.items()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"results": results, "rows": runs, "load_avg": os.getloadavg()}, indent=1))
    print(table(results))
    for mode, s in results.items():
        print(f"{mode}: failure kinds {s['failure_kinds']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
