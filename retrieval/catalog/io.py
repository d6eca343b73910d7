"""Reading and writing catalog files (CSV and JSONL) with a column mapping and a strict bad-input policy.

Formats
    ``.jsonl`` (also ``.ndjson``): one JSON object a line; blank lines are skipped.
    ``.csv``: a header row, then one product a row; list fields (colors, sizes, features) are
    ``|``-separated ("black|navy").

Column mapping
    ``mapping`` maps a source column/key to a Product field (``{"sku": "id", "name": "title"}``);
    mapping a column to ``""`` or ``"-"`` ignores it. Unmapped columns must be Product field names.

Required fields: ``id``, ``title``. A missing (empty) price is not a problem: the product gets
``price=None`` ("price not listed"; it never passes a price filter). Others default (``description``/``category``/
``product_type``/``brand`` to "", lists to empty, ``in_stock`` to true, ...). Text is stripped.

Bad input policy
    * File-level problems refuse the whole import with a ``CatalogError``: a missing or unreadable
      file, an unsupported extension, an empty file, a mapping onto an unknown field, and an unknown
      column (unless ``ignore_unknown=True``; in JSONL an unknown key is reported on its line).
    * Row problems are collected over the whole file, each naming file and line (1-based physical
      line; the CSV header is line 1; line 0 means the file as a whole): missing required field,
      non-numeric / negative / non-finite price, a wrong number of CSV values, bad rating
      (not 0-5), bad review_count, bad boolean, bad date, duplicate id (the first valid occurrence
      wins), invalid JSON, and bytes that are not UTF-8.
    * By default any bad row refuses the whole import: ``CatalogError`` lists the first
      ``MAX_REPORTED`` problems and the total. With ``skip_bad=True`` the good rows are returned and the
      bad ones are logged (``read_catalog`` returns both so a CLI can print them).

``save_catalog`` writes atomically (temp file in the same directory, fsync, ``os.replace``).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
from dataclasses import dataclass, fields
from datetime import datetime
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

from retrieval.atomic import write_text_atomic
from retrieval.product import Product

log = logging.getLogger(__name__)

MAX_REPORTED = 20
FIELDS: tuple[str, ...] = tuple(f.name for f in fields(Product))
REQUIRED: tuple[str, ...] = ("id", "title")
LIST_FIELDS = ("colors", "sizes", "features")
TEXT_FIELDS = ("description", "category", "product_type", "brand", "display_name")
IGNORE = ("", "-")
JSONL_SUFFIXES = (".jsonl", ".ndjson")


@dataclass(frozen=True)
class RowError:
    path: str
    line: int
    message: str

    def __str__(self) -> str:  # line 0: the file as a whole
        return f"{self.path}:{self.line}: {self.message}" if self.line else f"{self.path}: {self.message}"


class CatalogError(ValueError):
    """A catalog file that cannot be imported; ``errors`` name file and line of every problem found."""

    def __init__(self, errors: list[RowError], total: int | None = None, hint: str = ""):
        self.errors = list(errors)
        self.total = total if total is not None else len(errors)
        shown = "; ".join(str(e) for e in self.errors[:MAX_REPORTED])
        more = f" (and {self.total - MAX_REPORTED} more)" if self.total > MAX_REPORTED else ""
        super().__init__(shown + more + (f" -- {hint}" if hint else ""))

    @property
    def path(self) -> str:
        return self.errors[0].path if self.errors else ""

    @property
    def line(self) -> int:
        return self.errors[0].line if self.errors else 0


@dataclass(frozen=True)
class LoadResult:
    products: list[Product]
    errors: list[RowError]


class RowProblem(Exception):
    """One problem of one row; raised by converters, reported as ``file:line: message``.

    ``line`` names a different line than the row's first one (a Shopify variant row of a product)."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.line = line


# --- value parsing -----------------------------------------------------------------------------

def text_value(value: Any) -> str:
    return "" if value is None else str(value).strip()


def parse_price(value: Any) -> float | None:
    """A price >= 0 rounded to cents, None when empty; "$1,299.00" is accepted."""
    text = text_value(value).lstrip("$€£").replace(",", "")
    if text == "":
        return None
    try:
        price = float(text)
    except ValueError:
        raise RowProblem(f"price {text_value(value)!r} is not a number") from None
    if not math.isfinite(price):
        raise RowProblem(f"price {text_value(value)!r} is not a finite number")
    if price < 0:
        raise RowProblem(f"negative price {price:g}")
    return round(price, 2)


def _list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, (list, tuple)):
        return tuple(text_value(v) for v in value if text_value(v))
    return tuple(p.strip() for p in str(value).split("|") if p.strip())


def _bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = text_value(value).lower()
    if text in ("1", "true", "yes", "y", "t"):
        return True
    if text in ("0", "false", "no", "n", "f"):
        return False
    raise RowProblem(f"{name} {text_value(value)!r} is not true/false")


def _rating(value: Any) -> float:
    try:
        rating = float(text_value(value))
    except ValueError:
        raise RowProblem(f"rating {text_value(value)!r} is not a number") from None
    if not 0 <= rating <= 5:
        raise RowProblem(f"rating {rating:g} is outside 0-5")
    return rating


def _count(value: Any) -> int:
    try:
        count = float(text_value(value))
    except ValueError:
        raise RowProblem(f"review_count {text_value(value)!r} is not a number") from None
    if count < 0 or count != int(count):
        raise RowProblem(f"review_count {text_value(value)!r} is not a whole number >= 0")
    return int(count)


def _date(value: Any) -> str:
    text = text_value(value)
    try:
        datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowProblem(f"created_at {text!r} is not an ISO 8601 date") from None
    return text


def _opt_text(value: Any) -> str | None:
    text = text_value(value)
    return text or None


_PARSERS = {
    "price": parse_price, "rating": _rating, "review_count": _count, "created_at": _date,
    "in_stock": lambda v: _bool("in_stock", v), "consumable": lambda v: _bool("consumable", v),
    "material": _opt_text, "audience": _opt_text, "currency": lambda v: text_value(v).upper() or "USD",
}


def to_product(record: dict[str, Any]) -> Product:
    """A Product from a record keyed by Product field names; raises RowProblem on the first problem."""
    for name in ("id", "title"):
        if text_value(record.get(name)) == "":
            raise RowProblem(f"missing required field {name!r}")
    kw: dict[str, Any] = {"id": text_value(record["id"]), "title": text_value(record["title"]),
                          "price": parse_price(record.get("price"))}
    for name in TEXT_FIELDS:
        kw[name] = text_value(record.get(name))
    for name, value in record.items():
        if name in LIST_FIELDS:
            kw[name] = _list(value)
        elif name in _PARSERS and name != "price" and (text_value(value) != "" or isinstance(value, bool)):
            kw[name] = _PARSERS[name](value)
    return Product(**kw)


# --- mapping and file reading -------------------------------------------------------------------

def _check_mapping(path: str, mapping: dict[str, str]) -> None:
    bad = [f"{src!r} -> {dst!r}" for src, dst in mapping.items() if dst not in FIELDS and dst not in IGNORE]
    if bad:
        raise CatalogError([RowError(path, 0, f"mapping onto unknown Product field(s): {', '.join(bad)}")],
                           hint=f"fields are: {', '.join(FIELDS)}")


def _rename(raw: dict[str, Any], mapping: dict[str, str], ignore_unknown: bool) -> tuple[dict[str, Any], list[str]]:
    """Apply the mapping; returns the renamed record and the unknown keys."""
    out: dict[str, Any] = {}
    unknown: list[str] = []
    for key, value in raw.items():
        target = mapping.get(key, key)
        if target in IGNORE and key in mapping:
            continue
        if target not in FIELDS:
            if not ignore_unknown:
                unknown.append(key)
            continue
        out[target] = value
    return out, unknown


def _decoded_lines(path: Path, errors: list[RowError]) -> tuple[list[str], set[int]]:
    """The file's lines (keeping ends) and the 1-based numbers of lines that were not UTF-8."""
    bad: set[int] = set()
    lines: list[str] = []
    for number, raw in enumerate(path.read_bytes().splitlines(keepends=True), start=1):
        try:
            lines.append(raw.decode("utf-8-sig" if number == 1 else "utf-8"))
        except UnicodeDecodeError as exc:
            bad.add(number)
            errors.append(RowError(str(path), number, f"not valid UTF-8 (byte {raw[exc.start]:#04x} at column {exc.start + 1})"))
            lines.append(raw.decode("utf-8", errors="replace"))
    return lines, bad


def iter_jsonl(path: Path, lines: list[str], bad: set[int], errors: list[RowError]) -> Iterator[tuple[int, dict]]:
    for number, line in enumerate(lines, start=1):
        if number in bad or not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(RowError(str(path), number, f"invalid JSON ({exc.msg})"))
            continue
        if not isinstance(obj, dict):
            errors.append(RowError(str(path), number, "expected a JSON object"))
            continue
        yield number, obj


def iter_csv(path: Path, lines: list[str], bad: set[int], errors: list[RowError], *,
             delimiter: str = ",") -> Iterator[tuple[int, dict]]:
    """(first line, row dict) of every non-blank CSV/TSV row; bad rows are appended to ``errors``."""
    reader = csv.reader(io.StringIO("".join(lines), newline=""), delimiter=delimiter)
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return
    if 1 in bad:
        return
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        errors.append(RowError(str(path), 1, f"duplicate column(s) {', '.join(dupes)}"))
        return
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            errors.append(RowError(str(path), start, f"malformed CSV ({exc})"))
            return
        if any(n in bad for n in range(start, reader.line_num + 1)) or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            errors.append(RowError(str(path), start, f"{len(row)} values for {len(header)} columns"))
            continue
        yield start, dict(zip(header, row))


def _format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in JSONL_SUFFIXES:
        return "jsonl"
    if suffix == ".csv":
        return "csv"
    raise CatalogError([RowError(str(path), 0, f"unsupported file type {suffix or '(none)'!r}; use .csv or .jsonl")])


def _csv_header_unknown(path: Path, lines: list[str], mapping: dict[str, str]) -> list[str]:
    header = next(csv.reader(io.StringIO(lines[0] if lines else "")), [])
    return [h.strip() for h in header if mapping.get(h.strip(), h.strip()) not in FIELDS
            and not (h.strip() in mapping and mapping[h.strip()] in IGNORE)]


def read_lines(path: Path, errors: list[RowError]) -> tuple[list[str], set[int]]:
    """The decoded lines of a catalog file and the numbers of non-UTF-8 lines; CatalogError when unusable."""
    if not path.is_file():
        raise CatalogError([RowError(str(path), 0, "file not found")])
    try:
        lines, bad = _decoded_lines(path, errors)
    except OSError as exc:
        raise CatalogError([RowError(str(path), 0, f"cannot read file ({exc.strerror})")]) from None
    if not any(line.strip() for line in lines):
        raise CatalogError([RowError(str(path), 1, "the file is empty")])
    return lines, bad


def collect(path: Path, rows: Iterable[tuple[int, Any]], convert: Callable[[Any], dict[str, Any]],
            errors: list[RowError]) -> LoadResult:
    """Products of ``rows`` (line, raw row): ``convert`` makes a record keyed by Product fields (raising
    RowProblem), then ``to_product``; every problem and duplicate id is appended to ``errors``."""
    products: list[Product] = []
    first_line: dict[str, int] = {}
    for number, raw in rows:
        try:
            product = to_product(convert(raw))
        except RowProblem as exc:
            errors.append(RowError(str(path), exc.line or number, str(exc)))
            continue
        except (TypeError, ValueError) as exc:  # e.g. a JSON number where text was expected
            errors.append(RowError(str(path), number, f"bad value ({exc})"))
            continue
        if product.id in first_line:
            errors.append(RowError(str(path), number, f"duplicate id {product.id!r} (first on line {first_line[product.id]})"))
            continue
        first_line[product.id] = number
        products.append(product)
    errors.sort(key=lambda e: e.line)
    return LoadResult(products, errors)


def read_catalog(path: str | Path, mapping: dict[str, str] | None = None, *, ignore_unknown: bool = False) -> LoadResult:
    """Every good product of the file plus every row problem; raises CatalogError for file-level ones."""
    path = Path(path)
    mapping = dict(mapping or {})
    kind = _format(path)
    _check_mapping(str(path), mapping)
    errors: list[RowError] = []
    lines, bad = read_lines(path, errors)
    if kind == "csv" and not ignore_unknown:
        unknown = _csv_header_unknown(path, lines, mapping)
        if unknown:
            raise CatalogError([RowError(str(path), 1, f"unknown column(s) {', '.join(map(repr, unknown))}")],
                               hint="map them to Product fields (--map col=field), or pass --ignore-unknown")
    rows = iter_csv(path, lines, bad, errors) if kind == "csv" else iter_jsonl(path, lines, bad, errors)

    def convert(raw: dict[str, Any]) -> dict[str, Any]:
        record, unknown = _rename(raw, mapping, ignore_unknown)
        if unknown:
            raise RowProblem(f"unknown key(s) {', '.join(map(repr, unknown))} (map them or pass --ignore-unknown)")
        return record

    return collect(path, rows, convert, errors)


def load_catalog(path: str | Path, mapping: dict[str, str] | None = None, *, skip_bad: bool = False,
                 ignore_unknown: bool = False) -> list[Product]:
    """Products of a CSV/JSONL catalog. Bad rows refuse the import (CatalogError) unless ``skip_bad``."""
    result = read_catalog(path, mapping, ignore_unknown=ignore_unknown)
    if result.errors and not skip_bad:
        raise CatalogError(result.errors, hint="import refused; fix the rows or pass --skip-bad to import the good ones")
    for err in result.errors[:MAX_REPORTED]:
        log.warning("skipped bad row %s", err)
    if len(result.errors) > MAX_REPORTED:
        log.warning("skipped %d more bad rows", len(result.errors) - MAX_REPORTED)
    if not result.products:
        raise CatalogError([RowError(str(path), 0, "no valid products in the file")])
    return result.products


def _csv_text(products: list[Product]) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(FIELDS), lineterminator="\n")
    writer.writeheader()
    for p in products:
        row = p.to_dict()
        for name in LIST_FIELDS:
            row[name] = "|".join(row[name])
        writer.writerow({k: ("" if v is None else v) for k, v in row.items()})
    return buf.getvalue()


def save_catalog(products: list[Product], path: str | Path) -> Path:
    """Write products atomically as JSONL (or CSV for a ``.csv`` path); returns the path."""
    path = Path(path)
    if path.suffix.lower() == ".csv":
        text = _csv_text(products)
    else:
        text = "".join(json.dumps(p.to_dict(), ensure_ascii=False) + "\n" for p in products)
    write_text_atomic(path, text)
    return path
