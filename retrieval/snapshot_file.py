"""The in-memory snapshot (retrieval/snapshot.py) saved to and read from one ``.npz`` file.

Reading 100k products' vectors and attributes from Chroma takes ~50 s on this machine (its paged ``get``);
the same arrays from a local file take about a second. The file carries the collection's revision marker
(retrieval/index.py changes it with every write batch): it is used only when that marker is the
collection's current one, so a re-indexed or edited catalog is always read from Chroma again (and the file
rewritten). Written atomically (retrieval/atomic.py); read with ``allow_pickle=False`` (plain arrays only).
"""

from __future__ import annotations

import io
import json
import logging
import zipfile
from pathlib import Path

import numpy as np

from retrieval.atomic import write_bytes_atomic
from retrieval.columns import AttributeColumns, CodedColumn
from retrieval.snapshot import IndexSnapshot

log = logging.getLogger(__name__)
FORMAT = 1
CODED = ("category", "product_type", "brand")


def snapshot_file_path(client, collection: str) -> Path | None:
    """``<chroma dir>/shopbot-snapshot-<collection>.npz`` for an embedded (persistent) Chroma client, else None."""
    settings = client.get_settings()
    if not getattr(settings, "is_persistent", False) or not getattr(settings, "persist_directory", None):
        return None
    return Path(settings.persist_directory) / f"shopbot-snapshot-{collection}.npz"


def save_snapshot(snapshot: IndexSnapshot, path: Path) -> None:
    cols = snapshot.columns
    families = sorted(cols.color_rows)
    rows = [cols.color_rows[f] for f in families]
    meta = {"format": FORMAT, "revision": snapshot.revision, "color_families": families,
            **{f"{name}_vocab": list(getattr(cols, name).vocab) for name in CODED}}
    arrays = {"ids": np.array(snapshot.ids, dtype=str), "id_rank": snapshot.id_rank, "vectors": snapshot.vectors,
              "price": cols.price, "in_stock": cols.in_stock, "rating": cols.rating, "review_count": cols.review_count,
              "color_offsets": np.cumsum([0] + [len(r) for r in rows]).astype(np.int64),
              "color_rows": np.concatenate(rows).astype(np.int64) if rows else np.zeros(0, dtype=np.int64),
              "meta": np.array(json.dumps(meta)),
              **{f"{name}_codes": getattr(cols, name).codes for name in CODED}}
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    write_bytes_atomic(path, buffer.getvalue())


def read_snapshot(path: Path, revision: str) -> IndexSnapshot | None:
    """The saved snapshot when ``path`` holds one of this ``revision`` (else None: read Chroma instead)."""
    path = Path(path)
    if not revision or not path.is_file():
        return None
    try:
        with np.load(path, allow_pickle=False) as data:
            meta = json.loads(str(data["meta"]))
            if meta.get("format") != FORMAT or meta.get("revision") != revision:
                return None
            return _snapshot(data, meta)
    except (OSError, ValueError, KeyError, zipfile.BadZipFile) as exc:
        log.warning("ignoring the unreadable snapshot file %s (%s)", path, exc)
        return None


def _snapshot(data, meta: dict) -> IndexSnapshot:
    ids = tuple(str(i) for i in data["ids"])
    offsets, color_rows = data["color_offsets"], data["color_rows"]
    coded = {name: CodedColumn(data[f"{name}_codes"], {v: i for i, v in enumerate(meta[f"{name}_vocab"])})
             for name in CODED}
    columns = AttributeColumns(
        row_of={pid: row for row, pid in enumerate(ids)}, **coded,
        price=data["price"], in_stock=data["in_stock"], rating=data["rating"], review_count=data["review_count"],
        color_rows={f: color_rows[offsets[i]:offsets[i + 1]] for i, f in enumerate(meta["color_families"])})
    return IndexSnapshot(meta["revision"], ids, data["id_rank"], np.ascontiguousarray(data["vectors"]), columns)
