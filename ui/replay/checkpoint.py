"""The resumable ``turns.jsonl`` checkpoint: one line per finished conversation.

Each line is ``{"key": <conversation key>, "records": [<TurnRecord dict>, ...]}`` written with a single
``os.write`` on an ``O_APPEND`` descriptor followed by ``fsync``, so a killed run leaves at most one
truncated last line, which is ignored (and re-run) on restart. ``run.json`` beside it holds the options
that change results; resuming with different ones is refused.
"""

from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from retrieval.atomic import write_text_atomic

from ui.replay.record import TurnRecord

log = logging.getLogger(__name__)

CHECKPOINT = "turns.jsonl"
RUN_META = "run.json"


class CheckpointMismatch(Exception):
    """The --out directory holds a run made with different options."""


class Checkpoint:
    def __init__(self, out: Path, meta: dict) -> None:
        self.out = Path(out)
        self.out.mkdir(parents=True, exist_ok=True)
        self.path = self.out / CHECKPOINT
        meta_path = self.out / RUN_META
        if meta_path.exists() and self.path.exists():
            old = json.loads(meta_path.read_text(encoding="utf-8"))
            if old != meta:
                diff = sorted(k for k in set(old) | set(meta) if old.get(k) != meta.get(k))
                raise CheckpointMismatch(
                    f"{self.out} holds a replay made with different options ({', '.join(diff)}); "
                    f"use another --out or delete {self.path}")
        write_text_atomic(meta_path, json.dumps(meta, indent=2, sort_keys=True))
        self.done: dict[str, list[TurnRecord]] = self._read()

    def _read(self) -> dict[str, list[TurnRecord]]:
        done: dict[str, list[TurnRecord]] = {}
        if not self.path.exists():
            return done
        with self.path.open("r", encoding="utf-8") as fh:
            for n, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    obj = json.loads(line)
                    done[obj["key"]] = [TurnRecord.from_dict(r) for r in obj["records"]]
                except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                    log.warning("%s:%d: unreadable checkpoint line ignored (%s); that conversation re-runs",
                                self.path, n, exc)
        return done

    def append(self, key: str, records: list[TurnRecord]) -> None:
        line = json.dumps({"key": key, "records": [r.to_dict() for r in records]}, ensure_ascii=False) + "\n"
        self._repair_tail()
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            os.write(fd, line.encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)
        self.done[key] = records

    def _repair_tail(self) -> None:
        """A killed run may leave a last line without newline: start ours on a fresh line."""
        if not self.path.exists() or self.path.stat().st_size == 0:
            return
        with self.path.open("rb") as fh:
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                with self.path.open("ab") as out:
                    out.write(b"\n")
