"""The one metrics module: every evaluation in the project (``shopbot eval nlu``/``search``/``sequential``,
the replay report, the benches) computes its figures here, on maintained libraries.

- intents: accuracy, macro-F1, per-label F1 and the confusion counts (scikit-learn);
- entities by value: (type, normalised value) multisets, the only comparison when the gold side has no
  spans (replay transcripts, JSONL eval files); values go through ``normalize_value`` on both sides;
- entities by span: strict IOB2 span P/R/F1 per type (seqeval);
- rankings: nDCG, recall, precision, hit rate at k (ranx): ``ranking_scores``, which lives in
  ``retrieval/ranking_metrics.py`` because search evaluation (``retrieval/``) sits below ``assistant/``
  in the import layers; it is re-exported here so every caller imports its metrics from one place.

Undefined figures (nothing to score) are ``None``, never a made-up 0 or 1.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assistant.nlu.normalize import normalize_value
from retrieval.ranking_metrics import ranking_scores

__all__ = ["ClassScores", "EntityScore", "EntityScores", "SpanScores", "classification_scores", "entity_value_scores",
           "normalized", "ranking_scores", "span_scores", "token_f1"]

EntityValue = tuple[str, str]  # (TYPE, value)


def _ratio(num: float, den: float) -> float | None:
    return num / den if den else None


@dataclass(frozen=True)
class ClassScores:
    n: int
    accuracy: float | None
    macro_f1: float | None  # over the labels present in the gold side
    per_label_f1: tuple[tuple[str, float], ...]
    confusion: tuple[tuple[str, str, int], ...]  # (gold, predicted, count), every pair that occurs, sorted

    def errors(self) -> tuple[tuple[str, str, int], ...]:
        return tuple(c for c in self.confusion if c[0] != c[1])


def classification_scores(gold: Sequence[str], pred: Sequence[str]) -> ClassScores:
    """Accuracy, macro-F1 over the gold labels, per-label F1 and confusion counts (scikit-learn)."""
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score

    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold labels but {len(pred)} predictions")
    if not gold:
        return ClassScores(0, None, None, (), ())
    labels = sorted(set(gold))
    per = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    every = sorted(set(gold) | set(pred))
    matrix = confusion_matrix(gold, pred, labels=every)
    confusion = tuple((g, p, int(matrix[i, j])) for i, g in enumerate(every) for j, p in enumerate(every) if matrix[i, j])
    return ClassScores(n=len(gold), accuracy=float(accuracy_score(gold, pred)), macro_f1=float(per.mean()),
                       per_label_f1=tuple((label, float(f)) for label, f in zip(labels, per)), confusion=confusion)


@dataclass(frozen=True)
class EntityScore:
    type: str
    tp: int
    fp: int
    fn: int
    precision: float | None
    recall: float | None
    f1: float | None

    @classmethod
    def of(cls, etype: str, tp: int, fp: int, fn: int) -> EntityScore:
        return cls(etype, tp, fp, fn, _ratio(tp, tp + fp), _ratio(tp, tp + fn), _ratio(2 * tp, 2 * tp + fp + fn))


@dataclass(frozen=True)
class EntityScores:
    per_type: tuple[EntityScore, ...]
    micro: EntityScore  # type "micro": all types pooled

    @property
    def gold(self) -> int:
        return self.micro.tp + self.micro.fn

    @property
    def predicted(self) -> int:
        return self.micro.tp + self.micro.fp


def normalized(entities: Iterable[tuple[str, object]]) -> Counter[EntityValue]:
    """The multiset of (TYPE, normalised value) of (TYPE, surface or value) pairs."""
    return Counter((t, normalize_value(t, str(v))) for t, v in entities)


def entity_value_scores(gold: Sequence[Iterable[tuple[str, object]]],
                        pred: Sequence[Iterable[tuple[str, object]]]) -> EntityScores:
    """Per-type and micro P/R/F1 with entities matched per example as (type, normalised value) multisets."""
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold entity sets but {len(pred)} predicted ones")
    tp, fp, fn = Counter(), Counter(), Counter()
    for g_raw, p_raw in zip(gold, pred):
        g, p = normalized(g_raw), normalized(p_raw)
        for (t, _), n in (g & p).items():
            tp[t] += n
        for (t, _), n in (p - g).items():
            fp[t] += n
        for (t, _), n in (g - p).items():
            fn[t] += n
    per = tuple(EntityScore.of(t, tp[t], fp[t], fn[t]) for t in sorted(set(tp) | set(fp) | set(fn)))
    return EntityScores(per, EntityScore.of("micro", sum(tp.values()), sum(fp.values()), sum(fn.values())))


@dataclass(frozen=True)
class SpanScores:
    per_type: Mapping[str, Mapping[str, float]]  # TYPE -> precision, recall, f1-score, support
    precision: float
    recall: float
    f1: float


def span_scores(gold_tags: Sequence[Sequence[str]], pred_tags: Sequence[Sequence[str]]) -> SpanScores:
    """Strict IOB2 span P/R/F1 per type and micro-averaged (seqeval); all zero when no side has a span."""
    from seqeval.metrics import classification_report
    from seqeval.scheme import IOB2

    if not any(t != "O" for seq in [*gold_tags, *pred_tags] for t in seq):
        return SpanScores({}, 0.0, 0.0, 0.0)
    rep = classification_report([list(s) for s in gold_tags], [list(s) for s in pred_tags], mode="strict",
                                scheme=IOB2, output_dict=True, zero_division=0)
    micro = rep["micro avg"]
    per = {k: {m: float(v[m]) for m in ("precision", "recall", "f1-score", "support")}
           for k, v in rep.items() if not k.endswith(" avg")}
    return SpanScores(per, float(micro["precision"]), float(micro["recall"]), float(micro["f1-score"]))


def token_f1(gold: Sequence[int], pred: Sequence[int], outside: int = 0) -> float:
    """Micro-F1 over token labels other than ``outside`` (scikit-learn); a training-time signal."""
    from sklearn.metrics import f1_score

    labels = sorted((set(gold) | set(pred)) - {outside})
    if not labels:
        return 0.0
    return float(f1_score(gold, pred, labels=labels, average="micro", zero_division=0))
