"""QueryNER (real Amazon search queries with human slot labels, ``../shared/data/queryner/``) mapped onto
shopbot's entity types, as training examples and as an evaluation set.

The mapping (decided by what shopbot's search does with an entity; figures in bench/RESULTS.md):

=====================  =============  ===========================================================
QueryNER slot          shopbot type   why / how
=====================  =============  ===========================================================
core_product_type      PRODUCT_TYPE   the type the shopper wants ("phone case", "duvet cover")
creator                BRAND          the maker ("under armour", "lego")
color                  COLOR
material               MATERIAL
department             AUDIENCE       only when every word is an audience word (men, womens, kids,
                                      toddler, baby girl ...); a leading "for"/"for the" is left out
                                      of the span, as in the generated data ("for {aud}"); other
                                      departments ("0-3 months") are O
UoM                    SIZE           "small", "queen", "12 inch", "size 8" (a leading "size" is left
                                      out, as in the generated data)
quantity               QUANTITY       "2 pack", "set of 4"
price                  PRICE_MAX/MIN  only the number part ("under $30" -> "$30"; "over"/"above" ->
                                      PRICE_MIN); price words without a number ("cheap") are O
modifier, shape,       FEATURE        "wireless", "outdoor", "long sleeve", "christmas": soft words
occasion                              that shape (boost) a search
condition              O              mostly negations ("without needle"): as a wanted FEATURE they
                                      would ask for exactly what the shopper does not want
content, product_name, O              a theme ("star wars"), the device a part is for ("iphone xr"
product_number, time,                 case), model numbers, eras and origins are not filters of ours;
origin                                they stay in the query text that retrieval sees
=====================  =============  ===========================================================

Queries are search queries: intent ``search_products``. Tokens are whitespace tokens; the text is the
tokens joined by one space, so character spans follow from token positions.
"""

from __future__ import annotations

import logging
import random
import re
from dataclasses import dataclass
from pathlib import Path

from training.nlu.evaluate import jsonl_records
from training.nlu.render import Example

log = logging.getLogger(__name__)

INTENT = "search_products"
SLOT_MAP: dict[str, str | None] = {
    "core_product_type": "PRODUCT_TYPE", "creator": "BRAND", "color": "COLOR", "material": "MATERIAL",
    "department": "AUDIENCE", "UoM": "SIZE", "quantity": "QUANTITY", "price": "PRICE_MAX",
    "modifier": "FEATURE", "shape": "FEATURE", "occasion": "FEATURE",
    "condition": None, "content": None, "product_name": None, "product_number": None, "time": None, "origin": None,
}
CORE_TYPES: tuple[str, ...] = ("PRODUCT_TYPE", "BRAND", "COLOR", "MATERIAL")
AUDIENCE_WORDS = frozenset("""
men mens men's man mans man's male women womens women's woman womans woman's womens' female ladies lady ladies'
kids kid kids' kid's child childs child's children children's toddler toddlers toddler's infant infants baby babies
newborn newborns boys boy boys' boy's girls girl girls' girl's youth teen teens teenage teenager teenagers
adult adults unisex little big older juniors junior
""".split())
_LEAD_WORDS = {"AUDIENCE": ("for", "the", "a", "my"), "SIZE": ("size", "sz"), "PRICE_MAX": ()}
_MIN_CUES = ("over", "above", "from", "more", "at least", "min")


class QueryNerError(ValueError):
    """A malformed QueryNER file (message names the file and line)."""


@dataclass(frozen=True)
class QueryNerSpan:
    """One mapped span: token range [start, end) and shopbot type."""

    start: int
    end: int
    type: str


def raw_spans(labels: list[str]) -> list[tuple[int, int, str]]:
    """(start token, end token, QueryNER slot) of the BIO ``labels`` (an I- without its B- starts a span)."""
    spans: list[list] = []
    for i, label in enumerate(labels):
        if label == "O":
            continue
        prefix, slot = label.split("-", 1)
        if prefix == "I" and spans and spans[-1][2] == slot and spans[-1][1] == i:
            spans[-1][1] = i + 1
        else:
            spans.append([i, i + 1, slot])
    return [tuple(s) for s in spans]


def map_span(tokens: list[str], start: int, end: int, slot: str) -> QueryNerSpan | None:
    """The shopbot span of one QueryNER span (trimmed as documented above), or None when it maps to O."""
    etype = SLOT_MAP.get(slot)
    if etype is None:
        return None
    words = tokens[start:end]
    if etype == "AUDIENCE":
        while len(words) > 1 and words[0] in _LEAD_WORDS["AUDIENCE"]:
            words, start = words[1:], start + 1
        if not all(w.strip(".,") in AUDIENCE_WORDS for w in words):
            return None
    elif etype == "SIZE":
        if len(words) > 1 and words[0] in _LEAD_WORDS["SIZE"]:
            start += 1
    elif etype == "PRICE_MAX":
        digit = next((i for i, w in enumerate(words) if re.search(r"\d", w)), None)
        if digit is None:
            return None
        cue = " ".join(words[:digit])
        etype = "PRICE_MIN" if any(c in cue for c in _MIN_CUES) else "PRICE_MAX"
        start += digit
    return QueryNerSpan(start, end, etype)


def mapped_spans(tokens: list[str], labels: list[str]) -> list[QueryNerSpan]:
    return [s for s in (map_span(tokens, a, b, slot) for a, b, slot in raw_spans(labels)) if s is not None]


def mapped_bio(tokens: list[str], labels: list[str]) -> list[str]:
    """One shopbot BIO tag per whitespace token."""
    out = ["O"] * len(tokens)
    for span in mapped_spans(tokens, labels):
        out[span.start] = f"B-{span.type}"
        for i in range(span.start + 1, span.end):
            out[i] = f"I-{span.type}"
    return out


def to_example(tokens: list[str], labels: list[str]) -> Example:
    text = " ".join(tokens)
    starts, pos = [], 0
    for tok in tokens:
        starts.append(pos)
        pos += len(tok) + 1
    spans = tuple((starts[s.start], starts[s.end - 1] + len(tokens[s.end - 1]), s.type) for s in mapped_spans(tokens, labels))
    return Example(text=text, intent=INTENT, spans=spans, source="queryner")


@dataclass(frozen=True)
class QueryNerRow:
    tokens: list[str]
    labels: list[str]
    example_id: str = ""


def read_rows(path: Path) -> list[QueryNerRow]:
    """The rows of a QueryNER JSONL file (``tokens`` and ``labels``, one label per token)."""
    rows = []
    for lineno, rec in jsonl_records(path, QueryNerError):
        rec = rec if isinstance(rec, dict) else {}
        tokens, labels = rec.get("tokens"), rec.get("labels")
        if not isinstance(tokens, list) or not isinstance(labels, list) or len(tokens) != len(labels) or not tokens:
            raise QueryNerError(f"{path}:{lineno}: need non-empty 'tokens' and 'labels' lists of the same length")
        if any(not isinstance(t, str) or not t or " " in t for t in tokens):
            raise QueryNerError(f"{path}:{lineno}: tokens must be non-empty strings without spaces")
        bad = next((l for l in labels if not (l == "O" or (isinstance(l, str) and l[:2] in ("B-", "I-")))), None)
        if bad is not None:
            raise QueryNerError(f"{path}:{lineno}: label {bad!r} is not O, B-x or I-x")
        rows.append(QueryNerRow(tokens=tokens, labels=labels, example_id=str(rec.get("example_id", ""))))
    if not rows:
        raise QueryNerError(f"{path}: no records")
    return rows


@dataclass(frozen=True)
class QueryNerTrain:
    train: list[Example]
    dev: list[Example]  # a slice of QueryNER train for early stopping; QueryNER dev stays for measuring


def training_split(folder: Path, seed: int, *, repeats: int = 1, dev_share: float = 0.1) -> QueryNerTrain:
    """QueryNER ``train.jsonl`` as training examples (``repeats`` copies) plus a held-back slice for the
    training run's early stopping. Empty when the folder or file is absent."""
    path = Path(folder) / "train.jsonl"
    if not path.is_file():
        log.info("QueryNER not found at %s; training without real queries", path)
        return QueryNerTrain([], [])
    kept, held = split_rows(read_rows(path), seed, dev_share)
    train = [to_example(r.tokens, r.labels) for r in kept]
    return QueryNerTrain(train=train * max(0, repeats), dev=[to_example(r.tokens, r.labels) for r in held])


def split_rows(rows: list[QueryNerRow], seed: int, dev_share: float = 0.1) -> tuple[list[QueryNerRow], list[QueryNerRow]]:
    """(rows to train on, held-back rows): the one fixed shuffle behind :func:`training_split`."""
    rows = list(rows)
    random.Random(f"{seed}-queryner").shuffle(rows)
    n_dev = round(len(rows) * dev_share)
    return rows[n_dev:], rows[:n_dev]


def _predicted_bio(tokens: list[str], parse) -> list[str]:
    """Whitespace-token BIO of a parse: a token takes the type of the entity covering it; B- when the
    entity starts inside or before the token and no earlier token of the query has it."""
    out, pos, prev = [], 0, None
    for tok in tokens:
        s, e = pos, pos + len(tok)
        pos = e + 1
        hit = next((ent for ent in parse.entities if ent.start < e and s < ent.end), None)
        out.append("O" if hit is None else ("I-" if hit is prev else "B-") + hit.type)
        prev = hit
    return out


def evaluate(parser, rows: list[QueryNerRow], batch_size: int = 64) -> dict:
    """Exact-span (seqeval strict, IOB2) P/R/F1 per mapped type, micro over ``CORE_TYPES`` and over all,
    and the share of queries parsed as ``search_products``."""
    from assistant.metrics import span_scores

    parses = parser.parse_batch([" ".join(r.tokens) for r in rows], batch_size=batch_size)
    gold = [mapped_bio(r.tokens, r.labels) for r in rows]
    pred = [_predicted_bio(r.tokens, p) for r, p in zip(rows, parses)]
    every, core = span_scores(gold, pred), span_scores(_only(gold, CORE_TYPES), _only(pred, CORE_TYPES))
    per_type = {k: {m: round(v, 4) for m, v in row.items()} for k, row in every.per_type.items()}
    return {"n": len(rows), "search_intent_share": round(sum(p.intent == INTENT for p in parses) / max(1, len(rows)), 4),
            "core_micro": _micro(core), "all_micro": _micro(every), "per_type": per_type}


def _micro(s) -> dict[str, float]:
    return {"precision": round(s.precision, 4), "recall": round(s.recall, 4), "f1-score": round(s.f1, 4)}


def _only(seqs: list[list[str]], types: tuple[str, ...]) -> list[list[str]]:
    return [[t if t != "O" and t[2:] in types else "O" for t in seq] for seq in seqs]


def format_report(fig: dict) -> str:
    lines = [f"## QueryNER (n={fig['n']}; exact-span, seqeval strict)", "",
             "| entity | precision | recall | F1 | support |", "|---|---|---|---|---|"]
    for t, v in sorted(fig["per_type"].items()):
        if not v["support"]:
            continue  # a type QueryNER never has (its false positives still count in all_micro)
        lines.append(f"| {t} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | {int(v['support'])} |")
    for name in ("core_micro", "all_micro"):
        v = fig[name]
        lines.append(f"| {name} | {v['precision']:.3f} | {v['recall']:.3f} | {v['f1-score']:.3f} | |")
    lines += ["", f"search_products share: {fig['search_intent_share']:.3f}", ""]
    return "\n".join(lines)
