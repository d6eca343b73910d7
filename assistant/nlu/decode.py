"""Turning per-token tag scores into BIO tags (word-level constrained Viterbi), the tags into entity spans
on the original text, then into Entities with normalised values (and the price bound corrected by the
words around it)."""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from assistant.nlu.normalize import normalize_price, normalize_value, price_cue
from assistant.records import Entity
from retrieval.atomic import write_text_atomic

_FORBIDDEN = -1e9
TRANSITIONS_FILE = "tag_transitions.json"  # beside the model, listed in its manifest when present


@dataclass(frozen=True)
class TagTransitions:
    """Log-probabilities of one word's tag given the previous word's (``matrix[prev, next]``) and of the
    first word's tag (``start``), counted on the training data; ``weight`` scales them against the model's
    scores in :func:`viterbi_tags` (0 = BIO constraints only)."""

    tags: tuple[str, ...]
    start: np.ndarray
    matrix: np.ndarray
    weight: float = 0.0


def save_transitions(transitions: TagTransitions, path: Path) -> None:
    write_text_atomic(Path(path), json.dumps({
        "tags": list(transitions.tags), "weight": transitions.weight,
        "start": [round(float(x), 5) for x in transitions.start],
        "matrix": [[round(float(x), 5) for x in row] for row in transitions.matrix]}))


def load_transitions(path: Path, tags: Sequence[str]) -> TagTransitions:
    """The transitions in ``path``; ValueError when the file is malformed or counted for other tags."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        found = TagTransitions(tags=tuple(data["tags"]), start=np.asarray(data["start"], dtype=np.float64),
                               matrix=np.asarray(data["matrix"], dtype=np.float64), weight=float(data["weight"]))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
        raise ValueError(f"{path}: not a tag transitions file ({exc})") from None
    n = len(tags)
    if found.tags != tuple(tags) or found.start.shape != (n,) or found.matrix.shape != (n, n):
        raise ValueError(f"{path}: transitions counted for other tags than the model's")
    return found


def word_units(offsets: Sequence[tuple[int, int]], text: str) -> list[list[int]]:
    """The token indices of each word (tokens that touch inside a word, as :func:`decode_spans` widens
    spans: "t-shirts", "arc'teryx"); special tokens (offsets (0, 0)) belong to none."""
    units: list[list[int]] = []
    prev_end: int | None = None
    for i, (s, e) in enumerate(offsets):
        if s == e:
            prev_end = None
            continue
        if units and prev_end == s and 0 < s < len(text) and _inside_word(text, s):
            units[-1].append(i)
        else:
            units.append([i])
        prev_end = e
    return units


def _word_scores(tags: Sequence[str], log_probs: np.ndarray, units: list[list[int]]) -> np.ndarray:
    """(words, tags) log-scores of tagging each whole word: its first token takes the tag, the other
    tokens the I- tag of the same type (O stays O), as the training labels are laid out."""
    inside = np.array([tags.index(f"I-{t[2:]}") if t != "O" else k for k, t in enumerate(tags)])
    out = np.empty((len(units), len(tags)))
    for w, toks in enumerate(units):
        rest = log_probs[toks[1:]].sum(0) if len(toks) > 1 else np.zeros(len(tags))
        out[w] = log_probs[toks[0]] + rest[inside]
    return out


def _bio_constraints(tags: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
    """(start, transition) penalties: an I-X only after B-X or I-X, never first."""
    trans = np.zeros((len(tags), len(tags)))
    for j, t in enumerate(tags):
        if t.startswith("I-"):
            trans[[i for i, f in enumerate(tags) if f[2:] != t[2:] or f == "O"], j] = _FORBIDDEN
    start = np.array([_FORBIDDEN if t.startswith("I-") else 0.0 for t in tags])
    return start, trans


def viterbi_tags(tags: Sequence[str], log_probs: np.ndarray, offsets: Sequence[tuple[int, int]], text: str,
                 transitions: TagTransitions | None = None) -> list[str]:
    """One BIO tag per token: the best valid word-level tag sequence under the model's per-token
    log-probabilities ``log_probs`` (tokens, tags) plus, when given, the weighted ``transitions``.
    Every token of a word gets the same type; special tokens get "O"."""
    units = word_units(offsets, text)
    out = ["O"] * len(offsets)
    if not units:
        return out
    scores = _word_scores(tags, np.asarray(log_probs, dtype=np.float64), units)
    start, trans = _bio_constraints(tags)
    if transitions is not None and transitions.weight:
        if tuple(transitions.tags) != tuple(tags):
            raise ValueError("tag transitions were counted for other tags than the model's")
        start, trans = start + transitions.weight * transitions.start, trans + transitions.weight * transitions.matrix
    best, back = start + scores[0], []
    for w in range(1, len(units)):
        total = best[:, None] + trans
        back.append(total.argmax(0))
        best = total.max(0) + scores[w]
    path = [int(best.argmax())]
    for pointers in reversed(back):
        path.append(int(pointers[path[-1]]))
    for toks, k in zip(units, reversed(path)):
        tag = tags[k]
        out[toks[0]] = tag
        for i in toks[1:]:
            out[i] = tag if tag == "O" else f"I-{tag[2:]}"
    return out


def decode_spans(tags: list[str], offsets: list[tuple[int, int]], text: str) -> list[tuple[int, int, str]]:
    """BIO tags (one per token; special tokens have offsets (0, 0)) -> (start, end, TYPE) char spans.
    An I- tag that does not continue a span of its type starts one; spans are widened to whole words
    (a word may contain inner hyphens/apostrophes: "fisher-price", "arc'teryx") and same-type spans
    separated by a space or hyphen are joined."""
    spans: list[list] = []
    current: list | None = None
    for tag, (s, e) in zip(tags, offsets):
        if s == e:
            current = None
            continue
        if tag == "O":
            current = None
            continue
        prefix, etype = tag.split("-", 1)
        if prefix == "I" and current is not None and current[2] == etype:
            current[1] = e
            continue
        if current is not None and current[2] == etype and s == current[1]:  # a B- inside one word
            current[1] = e
            continue
        current = [s, e, etype]
        spans.append(current)
    out: list[tuple[int, int, str]] = []
    for s, e, etype in spans:
        while s > 0 and _inside_word(text, s):
            s -= 1
        while e < len(text) and _inside_word(text, e):
            e += 1
        if out and (s < out[-1][1] or (out[-1][2] == etype and _joinable(text, out[-1][1], s))):
            ps, pe, pt = out[-1]  # overlap after widening, or a same-type piece right after: one span
            out[-1] = (ps, max(pe, e), pt)
            continue
        out.append((s, e, etype))
    return out


def _inside_word(text: str, i: int) -> bool:
    """True when position ``i`` (between text[i-1] and text[i]) is inside a word."""
    a, b = text[i - 1], text[i]
    if a.isalnum() and b.isalnum():
        return True
    if a.isalnum() and b in "-'’" and i + 1 < len(text) and text[i + 1].isalnum():
        return not (b == "-" and a.isdigit() and text[i + 1].isdigit())  # "30-50" is a range
    if a in "-'’" and b.isalnum() and i >= 2 and text[i - 2].isalnum():
        return not (a == "-" and b.isdigit() and text[i - 2].isdigit())
    return False


def _joinable(text: str, end: int, start: int) -> bool:
    """Two same-type spans separated by nothing, one space or a hyphen/apostrophe ("sage green",
    "t-shirts") or a number's separator ("150.99", "2,311") are one entity."""
    gap = text[end:start]
    digits_around = end > 0 and start < len(text) and text[end - 1].isdigit() and text[start].isdigit()
    if gap == "-" and digits_around:
        return False  # "30-50" is a range, not one number
    if gap in ("", " ", "-", "'", "’"):
        return True
    return gap in (".", ",") and end > 0 and start < len(text) and text[end - 1].isdigit() and text[start].isdigit()


def to_entities(text: str, spans: list[tuple[int, int, str]]) -> tuple[Entity, ...]:
    entities: list[Entity] = []
    for s, e, etype in spans:
        surface = text[s:e]
        if etype in ("PRICE_MIN", "PRICE_MAX"):
            if normalize_price(surface) is None:  # a currency word alone ("dollars"): part of the price before it
                prev = entities[-1] if entities else None
                if prev and prev.type in ("PRICE_MIN", "PRICE_MAX") and text[prev.end:s].strip() == "":
                    entities[-1] = Entity(prev.type, text[prev.start:e], prev.value, prev.start, e)
                continue
            etype = price_cue(text, s, e) or etype
        value = normalize_value(etype, surface)
        if not value:
            continue
        entities.append(Entity(type=etype, text=surface, value=value, start=s, end=e))
    return _order_ranges(text, entities)


_RANGE_GAP = re.compile(r"\s*(?:and|to|-|–|through|thru)\s*", re.IGNORECASE)


def _order_ranges(text: str, entities: list[Entity]) -> tuple[Entity, ...]:
    """Two prices joined by "and" / "to" / "-" are a range: the lower is PRICE_MIN, the higher PRICE_MAX,
    whatever the model tagged ("50 to 90", "betwen 50 and 90 bucks")."""
    out = list(entities)
    for i in range(len(out) - 1):
        a, b = out[i], out[i + 1]
        prices = ("PRICE_MIN", "PRICE_MAX")
        if a.type in prices and b.type in prices and _RANGE_GAP.fullmatch(text[a.end:b.start]):
            try:
                lo, hi = sorted((a, b), key=lambda x: float(x.value))
            except ValueError:
                continue
            if lo.value != hi.value:
                out[i], out[i + 1] = (replace(a, type="PRICE_MIN" if a is lo else "PRICE_MAX"),
                                      replace(b, type="PRICE_MIN" if b is lo else "PRICE_MAX"))
    return tuple(out)
