"""Transcript loading and validation.

Two input shapes are accepted:

* **transcripts** (JSONL, one conversation a line)::

    {"id": "c1", "user_id": "u42", "turns": [{"user": "...", "expect": {...}}, {"user": "..."}]}

* **logged turns** (CSV with a header, or JSONL objects) with ``session_id, user_id, text`` and no
  expectations; rows are grouped into conversations by ``session_id`` in file order.

A malformed line is reported as a :class:`Problem` (file + line number + reason) and skipped; loading
never raises for bad content (only :class:`TranscriptError` for a file that cannot be read at all).
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

from assistant.nlu.normalize import normalize_value
from assistant.records import ENTITY_TYPES, INTENTS, Action

ACTIONS: tuple[str, ...] = tuple(a.value for a in Action)
EXPECT_KEYS = frozenset({"intent", "entities", "products", "action", "reply_contains", "reply_not_contains"})
PRODUCT_KEYS = frozenset({"max_price", "min_price", "color", "brand", "category", "product_type", "in_stock",
                          "min_count", "max_count", "title_contains", "brand_not"})


class TranscriptError(Exception):
    """A transcript file that cannot be read at all (missing, not a file, undecodable)."""


@dataclass(frozen=True)
class Problem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


@dataclass(frozen=True)
class ProductConstraints:
    """Constraints that must hold for every product shown in a turn (``min_count``/``max_count``: list size)."""

    max_price: float | None = None
    min_price: float | None = None
    color: str | None = None
    brand: str | None = None
    category: str | None = None
    product_type: str | None = None
    in_stock: bool | None = None
    min_count: int | None = None
    max_count: int | None = None
    title_contains: str | None = None  # every title or type contains one of these "|"-separated words
    brand_not: str | None = None  # no product of this brand ("not from Zenflex")

    def items(self) -> list[tuple[str, object]]:
        return [(k, getattr(self, k)) for k in sorted(PRODUCT_KEYS) if getattr(self, k) is not None]


@dataclass(frozen=True)
class Expect:
    intent: str | None = None
    entities: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (TYPE, normalised values), sorted
    products: ProductConstraints | None = None
    action: str | None = None
    reply_contains: tuple[str, ...] = ()
    reply_not_contains: tuple[str, ...] = ()
    has_entities: bool = False  # an ``entities`` key was given (possibly empty: "no entities expected")


@dataclass(frozen=True)
class TurnSpec:
    user: str
    expect: Expect = field(default_factory=Expect)


@dataclass(frozen=True)
class Conversation:
    file: str  # file name as shown in reports
    line: int
    id: str
    user_id: str
    turns: tuple[TurnSpec, ...]
    source: str  # canonical JSON of the conversation content (hashed into ``key``)

    @property
    def key(self) -> str:
        digest = hashlib.sha256(self.source.encode()).hexdigest()[:12]
        return f"{self.file}::{self.id}::{digest}"


@dataclass(frozen=True)
class LoadResult:
    conversations: tuple[Conversation, ...]
    problems: tuple[Problem, ...]


def _invalid(msg: str) -> ValueError:
    return ValueError(msg)


def _parse_products(raw: object) -> ProductConstraints:
    if not isinstance(raw, dict):
        raise _invalid("'products' must be an object")
    unknown = set(raw) - PRODUCT_KEYS
    if unknown:
        raise _invalid(f"unknown products constraint(s): {', '.join(sorted(unknown))}")
    kw: dict[str, object] = {}
    for k, v in raw.items():
        if k in ("max_price", "min_price"):
            if isinstance(v, bool) or not isinstance(v, (int, float)):
                raise _invalid(f"products.{k} must be a number")
            kw[k] = float(v)
        elif k in ("min_count", "max_count"):
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise _invalid(f"products.{k} must be a non-negative integer")
            kw[k] = v
        elif k == "in_stock":
            if not isinstance(v, bool):
                raise _invalid("products.in_stock must be true or false")
            kw[k] = v
        else:
            if not isinstance(v, str) or not v.strip():
                raise _invalid(f"products.{k} must be a non-empty string")
            kw[k] = v.strip().lower()
    return ProductConstraints(**kw)


def _parse_entities(raw: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(raw, dict):
        raise _invalid("'entities' must be an object of TYPE -> value (or list of values)")
    out = []
    for etype, val in raw.items():
        if etype not in ENTITY_TYPES:
            raise _invalid(f"unknown entity type {etype!r} (known: {', '.join(ENTITY_TYPES)})")
        vals = val if isinstance(val, list) else [val]
        if not vals or any(not isinstance(v, (str, int, float)) or isinstance(v, bool) for v in vals):
            raise _invalid(f"entities.{etype} must be a string, number or list of them")
        out.append((etype, tuple(sorted(normalize_value(etype, str(v)) for v in vals))))
    return tuple(sorted(out))


def _strings(raw: object, key: str) -> tuple[str, ...]:
    vals = [raw] if isinstance(raw, str) else raw
    if not isinstance(vals, list) or any(not isinstance(v, str) or not v for v in vals):
        raise _invalid(f"'{key}' must be a string or a list of non-empty strings")
    return tuple(vals)


def parse_expect(raw: object) -> Expect:
    if raw is None:
        return Expect()
    if not isinstance(raw, dict):
        raise _invalid("'expect' must be an object")
    unknown = set(raw) - EXPECT_KEYS
    if unknown:
        raise _invalid(f"unknown expect key(s): {', '.join(sorted(unknown))}")
    intent = raw.get("intent")
    if intent is not None and intent not in INTENTS:
        raise _invalid(f"unknown intent {intent!r}")
    action = raw.get("action")
    if action is not None and action not in ACTIONS:
        raise _invalid(f"unknown action {action!r} (known: {', '.join(ACTIONS)})")
    return Expect(
        intent=intent,
        entities=_parse_entities(raw["entities"]) if "entities" in raw else (),
        has_entities="entities" in raw,
        products=_parse_products(raw["products"]) if "products" in raw else None,
        action=action,
        reply_contains=_strings(raw["reply_contains"], "reply_contains") if "reply_contains" in raw else (),
        reply_not_contains=_strings(raw["reply_not_contains"], "reply_not_contains") if "reply_not_contains" in raw else (),
    )


def _conversation(obj: dict, file: str, line: int) -> Conversation:
    cid, user_id, turns = obj.get("id"), obj.get("user_id"), obj.get("turns")
    if not isinstance(cid, (str, int)) or isinstance(cid, bool) or str(cid) == "":
        raise _invalid("missing or invalid 'id'")
    if not isinstance(user_id, (str, int)) or isinstance(user_id, bool) or str(user_id) == "":
        raise _invalid("missing or invalid 'user_id'")
    if not isinstance(turns, list) or not turns:
        raise _invalid("'turns' must be a non-empty list")
    specs = []
    for i, t in enumerate(turns):
        if not isinstance(t, dict) or not isinstance(t.get("user"), str):
            raise _invalid(f"turn {i}: each turn needs a 'user' string")
        extra = set(t) - {"user", "expect"}
        if extra:
            raise _invalid(f"turn {i}: unknown key(s) {', '.join(sorted(extra))}")
        try:
            specs.append(TurnSpec(user=t["user"], expect=parse_expect(t.get("expect"))))
        except ValueError as exc:
            raise _invalid(f"turn {i}: {exc}") from None
    source = json.dumps({"id": str(cid), "user_id": str(user_id), "turns": turns}, sort_keys=True)
    return Conversation(file=file, line=line, id=str(cid), user_id=str(user_id), turns=tuple(specs), source=source)


class _LogGroups:
    """Logged turns grouped by session id, in order of first appearance."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.groups: dict[str, tuple[int, str, list[str]]] = {}

    def add(self, row: dict, line: int) -> None:
        sid, uid, text = row.get("session_id"), row.get("user_id"), row.get("text")
        if not all(isinstance(v, (str, int)) and not isinstance(v, bool) and str(v) != "" for v in (sid, uid)):
            raise _invalid("logged turn needs non-empty 'session_id' and 'user_id'")
        if not isinstance(text, str):
            raise _invalid("logged turn needs a 'text' string")
        first_line, user, texts = self.groups.setdefault(str(sid), (line, str(uid), []))
        if user != str(uid):
            raise _invalid(f"session {sid} changes user_id ({user} -> {uid})")
        texts.append(text)

    def conversations(self) -> list[Conversation]:
        out = []
        for sid, (line, uid, texts) in self.groups.items():
            turns = [{"user": t} for t in texts]
            source = json.dumps({"id": sid, "user_id": uid, "turns": turns}, sort_keys=True)
            out.append(Conversation(self.file, line, sid, uid, tuple(TurnSpec(t) for t in texts), source))
        return out


def _read_text(path: Path) -> str:
    if not path.is_file():
        raise TranscriptError(f"{path}: no such file")
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise TranscriptError(f"{path}: cannot read ({exc})") from None


def _load_jsonl(text: str, file: str, problems: list[Problem]) -> list[Conversation]:
    convs: list[Conversation] = []
    logs = _LogGroups(file)
    for n, raw in enumerate(text.splitlines(), start=1):
        if not raw.strip() or raw.lstrip().startswith("//"):
            continue
        try:
            obj = json.loads(raw)
            if not isinstance(obj, dict):
                raise _invalid("line is not a JSON object")
            if "turns" in obj:
                convs.append(_conversation(obj, file, n))
            elif "text" in obj or "session_id" in obj:
                logs.add(obj, n)
            else:
                raise _invalid("neither a conversation ('turns') nor a logged turn ('session_id','user_id','text')")
        except json.JSONDecodeError as exc:
            problems.append(Problem(file, n, f"invalid JSON: {exc.msg} (column {exc.colno})"))
        except ValueError as exc:
            problems.append(Problem(file, n, str(exc)))
    return convs + logs.conversations()


def _load_csv(text: str, file: str, problems: list[Problem]) -> list[Conversation]:
    reader = csv.DictReader(io.StringIO(text))
    missing = {"session_id", "user_id", "text"} - set(reader.fieldnames or ())
    if missing:
        problems.append(Problem(file, 1, f"CSV header lacks column(s): {', '.join(sorted(missing))}"))
        return []
    logs = _LogGroups(file)
    for row in reader:
        try:
            if None in row or any(v is None for v in row.values()):
                raise _invalid("wrong number of fields")
            logs.add(row, reader.line_num)
        except ValueError as exc:
            problems.append(Problem(file, reader.line_num, str(exc)))
    return logs.conversations()


def load_transcripts(paths: list[Path] | list[str]) -> LoadResult:
    """Load every file; bad lines become problems. Duplicate conversation ids in a file are skipped."""
    convs: list[Conversation] = []
    problems: list[Problem] = []
    for p in map(Path, paths):
        text = _read_text(p)
        found = _load_csv(text, p.name, problems) if p.suffix.lower() == ".csv" else _load_jsonl(text, p.name, problems)
        seen: set[str] = set()
        for c in found:
            if c.id in seen:
                problems.append(Problem(c.file, c.line, f"duplicate conversation id {c.id!r}; skipped"))
                continue
            seen.add(c.id)
            convs.append(c)
    return LoadResult(tuple(convs), tuple(sorted(problems, key=lambda x: (x.file, x.line))))
