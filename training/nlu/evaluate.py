"""Evaluating an NluParser: intent accuracy, macro-F1, confusion table, and entity P/R/F1 per type
(seqeval, strict spans, on word-level BIO). ``evaluate_jsonl`` scores any JSONL file of
``{"text", "intent", "entities": [["TYPE", "surface text"], ...]}`` matching entities by type and
normalised value."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.nlu.normalize import normalize_value
from assistant.records import ENTITY_TYPES, INTENTS
from training.nlu.render import Example

WORD_RE = re.compile(r"\w+(?:['’.\-]\w+)*|[^\w\s]")


class EvalDataError(ValueError):
    """A malformed evaluation file (message names the file and line)."""


@dataclass(frozen=True)
class NluReport:
    n: int
    intent_accuracy: float
    intent_macro_f1: float
    entity_precision: float
    entity_recall: float
    entity_f1: float
    per_type: dict[str, dict[str, float]] = field(default_factory=dict)
    per_intent_f1: dict[str, float] = field(default_factory=dict)
    confusion: dict[str, dict[str, int]] = field(default_factory=dict)  # gold -> predicted -> count (errors only)

    def summary(self) -> dict:
        return {"n": self.n, "intent_accuracy": self.intent_accuracy, "intent_macro_f1": self.intent_macro_f1,
                "entity_precision": self.entity_precision, "entity_recall": self.entity_recall, "entity_f1": self.entity_f1}


def word_bio(text: str, spans) -> list[str]:
    """Word-level BIO tags of ``text`` for (start, end, TYPE) spans (a word belongs to the span it overlaps)."""
    tags = []
    for m in WORD_RE.finditer(text):
        hit = next((sp for sp in spans if m.start() < sp[1] and sp[0] < m.end()), None)
        if hit is None:
            tags.append("O")
        else:
            tags.append(("B-" if m.start() <= hit[0] else "I-") + hit[2])
    return tags


def _macro_f1(gold: list[str], pred: list[str]) -> tuple[float, dict[str, float]]:
    per = {}
    for label in sorted(set(gold)):
        tp = sum(g == p == label for g, p in zip(gold, pred))
        fp = sum(p == label and g != label for g, p in zip(gold, pred))
        fn = sum(g == label and p != label for g, p in zip(gold, pred))
        per[label] = 2 * tp / max(1, 2 * tp + fp + fn)
    return (sum(per.values()) / max(1, len(per))), per


def _r(x: float) -> float:
    return round(float(x), 4)


def evaluate_examples(parser, examples: list[Example], batch_size: int = 64) -> NluReport:
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    parses = parser.parse_batch([ex.text for ex in examples], batch_size=batch_size)
    gold_i = [ex.intent for ex in examples]
    pred_i = [p.intent for p in parses]
    acc = sum(g == p for g, p in zip(gold_i, pred_i)) / max(1, len(examples))
    macro, per_intent = _macro_f1(gold_i, pred_i)
    confusion: dict[str, dict[str, int]] = {}
    for g, p in zip(gold_i, pred_i):
        if g != p:
            confusion.setdefault(g, {}).setdefault(p, 0)
            confusion[g][p] += 1
    gold_tags = [word_bio(ex.text, ex.spans) for ex in examples]
    pred_tags = [word_bio(p.text, [(e.start, e.end, e.type) for e in p.entities]) for p in parses]
    # (texts are never cut for these short utterances, so both tag sequences align word by word)
    pred_tags = [pt[: len(gt)] + ["O"] * (len(gt) - len(pt)) for gt, pt in zip(gold_tags, pred_tags)]
    per_type: dict[str, dict[str, float]] = {}
    micro = {"precision": 0.0, "recall": 0.0, "f1-score": 0.0}
    if any(t != "O" for seq in gold_tags + pred_tags for t in seq):
        rep = classification_report(gold_tags, pred_tags, mode="strict", scheme=IOB2, output_dict=True, zero_division=0)
        per_type = {k: {m: _r(v[m]) for m in ("precision", "recall", "f1-score", "support")} for k, v in rep.items() if k in ENTITY_TYPES}
        micro = rep.get("micro avg", micro)
    return NluReport(n=len(examples), intent_accuracy=_r(acc), intent_macro_f1=_r(macro),
                     entity_precision=_r(micro["precision"]), entity_recall=_r(micro["recall"]),
                     entity_f1=_r(micro["f1-score"]), per_type=per_type,
                     per_intent_f1={k: _r(v) for k, v in per_intent.items()}, confusion=confusion)


def jsonl_records(path: Path, error: type[Exception]):
    """(line number, parsed value) of each non-blank line of a JSONL file; ``error`` names the file and line."""
    path = Path(path)
    if not path.is_file():
        raise error(f"{path}: no such file")
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield lineno, json.loads(line)
            except json.JSONDecodeError as exc:
                raise error(f"{path}:{lineno}: not valid JSON ({exc.msg})") from None


def read_eval_jsonl(path: Path) -> list[dict]:
    rows = []
    for lineno, rec in jsonl_records(path, EvalDataError):
        if not isinstance(rec, dict) or not isinstance(rec.get("text"), str) or not isinstance(rec.get("intent"), str):
            raise EvalDataError(f"{path}:{lineno}: need an object with string 'text' and 'intent'")
        if rec["intent"] not in INTENTS:
            raise EvalDataError(f"{path}:{lineno}: unknown intent {rec['intent']!r}")
        ents = rec.get("entities", [])
        if not isinstance(ents, list) or not all(isinstance(e, list | tuple) and len(e) == 2 and e[0] in ENTITY_TYPES for e in ents):
            raise EvalDataError(f"{path}:{lineno}: 'entities' must be a list of [TYPE, surface text] with TYPE in {ENTITY_TYPES}")
        rows.append(rec)
    if not rows:
        raise EvalDataError(f"{path}: no records")
    return rows


def evaluate_records(parser, rows: list[dict]) -> dict:
    """Intent accuracy and entity P/R/F1 with entities matched as (type, normalised value) multisets."""
    parses = parser.parse_batch([r["text"] for r in rows])
    correct = tp = n_pred = n_gold = 0
    for rec, parse in zip(rows, parses):
        correct += parse.intent == rec["intent"]
        gold = Counter((t, normalize_value(t, s)) for t, s in rec.get("entities", []))
        pred = Counter((e.type, e.value) for e in parse.entities)
        tp += sum((gold & pred).values())
        n_pred += sum(pred.values())
        n_gold += sum(gold.values())
    p = tp / n_pred if n_pred else (1.0 if not n_gold else 0.0)
    r = tp / n_gold if n_gold else 1.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"n": len(rows), "intent_accuracy": _r(correct / len(rows)), "entity_precision": _r(p),
            "entity_recall": _r(r), "entity_f1": _r(f1), "entities_gold": n_gold, "entities_predicted": n_pred}


def evaluate_jsonl(parser, path: Path) -> dict:
    return evaluate_records(parser, read_eval_jsonl(path))


def confusion_table(report: NluReport, top: int = 15) -> list[tuple[str, str, int]]:
    pairs = [(g, p, c) for g, row in report.confusion.items() for p, c in row.items()]
    return sorted(pairs, key=lambda x: -x[2])[:top]
