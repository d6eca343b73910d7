"""Evaluating an NluParser: intent accuracy, macro-F1, confusion table, and entity P/R/F1 per type
(strict spans on word-level BIO). ``evaluate_jsonl`` scores any JSONL file of
``{"text", "intent", "entities": [["TYPE", "surface text"], ...]}`` matching entities by type and
normalised value. Every figure comes from ``assistant.metrics`` (scikit-learn, seqeval)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant.metrics import classification_scores, entity_value_scores, span_scores
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


def _r(x: float | None) -> float | None:
    return None if x is None else round(float(x), 4)


def evaluate_examples(parser, examples: list[Example], batch_size: int = 64) -> NluReport:
    parses = parser.parse_batch([ex.text for ex in examples], batch_size=batch_size)
    intents = classification_scores([ex.intent for ex in examples], [p.intent for p in parses])
    confusion: dict[str, dict[str, int]] = {}
    for g, p, count in intents.errors():
        confusion.setdefault(g, {})[p] = count
    gold_tags = [word_bio(ex.text, ex.spans) for ex in examples]
    pred_tags = [word_bio(p.text, [(e.start, e.end, e.type) for e in p.entities]) for p in parses]
    # (texts are never cut for these short utterances, so both tag sequences align word by word)
    pred_tags = [pt[: len(gt)] + ["O"] * (len(gt) - len(pt)) for gt, pt in zip(gold_tags, pred_tags)]
    spans = span_scores(gold_tags, pred_tags)
    per_type = {k: {m: _r(v) for m, v in row.items()} for k, row in spans.per_type.items() if k in ENTITY_TYPES}
    return NluReport(n=len(examples), intent_accuracy=_r(intents.accuracy or 0.0), intent_macro_f1=_r(intents.macro_f1 or 0.0),
                     entity_precision=_r(spans.precision), entity_recall=_r(spans.recall),
                     entity_f1=_r(spans.f1), per_type=per_type,
                     per_intent_f1={k: _r(v) for k, v in intents.per_label_f1}, confusion=confusion)


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
    """Intent accuracy and entity P/R/F1 with entities matched as (type, normalised value) multisets
    (``assistant.metrics.entity_value_scores``; a figure with nothing to score is None)."""
    parses = parser.parse_batch([r["text"] for r in rows])
    intents = classification_scores([r["intent"] for r in rows], [p.intent for p in parses])
    ents = entity_value_scores([[(t, s) for t, s in r.get("entities", [])] for r in rows],
                               [[(e.type, e.value) for e in p.entities] for p in parses])
    return {"n": len(rows), "intent_accuracy": _r(intents.accuracy), "entity_precision": _r(ents.micro.precision),
            "entity_recall": _r(ents.micro.recall), "entity_f1": _r(ents.micro.f1), "entities_gold": ents.gold,
            "entities_predicted": ents.predicted}


def evaluate_jsonl(parser, path: Path) -> dict:
    return evaluate_records(parser, read_eval_jsonl(path))


def confusion_table(report: NluReport, top: int = 15) -> list[tuple[str, str, int]]:
    pairs = [(g, p, c) for g, row in report.confusion.items() for p, c in row.items()]
    return sorted(pairs, key=lambda x: -x[2])[:top]
