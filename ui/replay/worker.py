"""The per-conversation replay function and the state one worker keeps (its own Assistant).

A worker (a pool process, a Ray actor, or the main process with ``--workers 1``) builds its Assistant
once and then replays conversations one at a time with :meth:`ReplayWorker.replay`.

State (see ui/replay/README.md):

* **fresh** (default): the worker copies the data dir once into a private temporary dir and opens the
  Assistant there, so a run never changes the user's data. Before every conversation the SQLite
  database is restored to its state right after the Assistant was built (SQLite online backup, so the
  Assistant's open connections see it)
  and the Assistant's ``reset_state(seed)`` hook is called (cached sessions and the ranker's in-memory
  learning dropped, its exploration reseeded with the conversation's seed); every conversation gets a new session.
* **keep-state**: the Assistant opens the data dir itself and nothing is reset: sessions,
  interactions, carts and order changes accumulate across conversations (and across runs).
"""

from __future__ import annotations

import hashlib
import json
import logging
import random
import shutil
import sqlite3
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from retrieval.product import Product
from ui.replay.checks import evaluate, facts_texts, unfaithful_mentions
from ui.replay.record import ShownProduct, TurnRecord, action_name, shown_products, shown_products_of
from ui.replay.transcripts import Conversation, TurnSpec

log = logging.getLogger(__name__)

AssistantFactory = Callable[..., object]  # (settings, generate=...) -> an AssistantAPI


def build_assistant(settings, generate: bool = True):
    """The default factory: the real Assistant over its own runtime (closed by ``ReplayWorker.close``)."""
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime

    return Assistant(build_runtime(settings, generate=generate))


def factory_name(factory: AssistantFactory) -> str:
    """``module:qualname`` of a factory (for checkpoints and reports)."""
    return f"{factory.__module__}:{factory.__qualname__}"


@dataclass(frozen=True)
class WorkerConfig:
    settings: dict  # Settings.model_dump(mode="json"); rebuilt in the worker
    generate: bool
    seed: int
    keep_state: bool
    factory: AssistantFactory = build_assistant  # a module-level function: pickled by reference for the workers
    torch_threads: int = 0  # >0: torch threads in each worker (the pool shares the cores out, as Ray does)


def conversation_seed(key: str, seed: int) -> int:
    """Independent of which worker runs the conversation or in what order."""
    return (int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) ^ seed) & 0x7FFFFFFF


def seed_everything(seed: int) -> None:
    random.seed(seed)
    if "numpy" in sys.modules:
        sys.modules["numpy"].random.seed(seed)
    if "torch" in sys.modules:
        sys.modules["torch"].manual_seed(seed)


def load_catalog_titles(path: Path) -> tuple[frozenset[str], int | None]:
    """Lowercased titles and size of the catalog JSONL (empty/None when there is no catalog file)."""
    if not path.is_file():
        return frozenset(), None
    titles, n = set(), 0
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                try:
                    titles.add(Product.from_dict(json.loads(line)).title.lower())
                    n += 1
                except (ValueError, TypeError):
                    continue
    return frozenset(titles), n


class ReplayWorker:
    def __init__(self, cfg: WorkerConfig) -> None:
        from assistant.settings import Settings

        self.cfg = cfg
        settings = Settings(**cfg.settings)
        self._tmp: tempfile.TemporaryDirectory | None = None
        self._pristine: Path | None = None
        if not cfg.keep_state:
            settings = self._private_copy(settings)
        self.settings = settings
        self.titles, _ = load_catalog_titles(settings.catalog_path)
        self.assistant = cfg.factory(settings, generate=cfg.generate)
        if not cfg.keep_state:
            self._snapshot()

    def _private_copy(self, settings):
        """Copy the data dir (SQLite via the backup API, so a live WAL is included) into a temp dir."""
        self._tmp = tempfile.TemporaryDirectory(prefix="shopbot-replay-")
        work = Path(self._tmp.name) / "data"
        src_db = self._sqlite_file(settings)
        if Path(settings.data_dir).is_dir():
            shutil.copytree(settings.data_dir, work, ignore=shutil.ignore_patterns("replay*", "shop.db*"))
        else:
            work.mkdir(parents=True)
        update: dict = {"data_dir": work}
        if src_db is None:
            log.warning("fresh state needs SQLite; with %s conversations share the database", settings.db_url.split(":")[0])
        else:
            db = work / "shop.db"
            if settings.database_url is not None:
                update["database_url"] = f"sqlite:///{db}"
            if src_db.exists():
                _backup(src_db, db)
        return settings.model_copy(update=update)

    def _snapshot(self) -> None:
        """The state every conversation starts from: the database right after the Assistant was built
        (which may have seeded demo stores)."""
        db = self._sqlite_file(self.settings)
        if self._tmp is not None and db is not None and db.exists():
            self._pristine = Path(self._tmp.name) / "pristine.db"
            _backup(db, self._pristine)

    @staticmethod
    def _sqlite_file(settings) -> Path | None:
        url = settings.db_url
        return Path(url.removeprefix("sqlite:///")) if url.startswith("sqlite:///") else None

    def reset(self, seed: int) -> None:
        if self.cfg.keep_state:
            return
        db = self._sqlite_file(self.settings)
        if self._pristine is not None and db is not None:
            _backup(self._pristine, db)
        hook = getattr(self.assistant, "reset_state", None)  # stand-in assistants (tests) may have none
        if callable(hook):
            hook(seed)

    def replay(self, conv: Conversation) -> list[TurnRecord]:
        seed = conversation_seed(conv.key, self.cfg.seed)
        self.reset(seed)
        seed_everything(seed)
        session_id = self.assistant.new_session(conv.user_id)
        seen: dict[str, ShownProduct] = {}  # products shown so far in this conversation
        records = []
        for i, spec in enumerate(conv.turns):
            rec = self._turn(conv, session_id, i, spec, seen)
            seen.update((p.id, p) for p in rec.products)
            records.append(rec)
        return records

    def _turn(self, conv: Conversation, session_id: str, index: int, spec: TurnSpec,
              seen: dict[str, ShownProduct]) -> TurnRecord:
        base = dict(key=conv.key, file=conv.file, conversation_id=conv.id, user_id=conv.user_id,
                    session_id=session_id, turn_index=index, user_text=spec.user,
                    expected_intent=spec.expect.intent,
                    expected_entities=spec.expect.entities if spec.expect.has_entities else None)
        t0 = time.perf_counter()
        try:
            turn = self.assistant.handle(session_id, conv.user_id, spec.user, generate=self.cfg.generate)
        except Exception as exc:  # one broken turn must not stop the run; it is reported
            log.exception("conversation %s turn %d raised", conv.id, index)
            rec = TurnRecord(**base, wall_ms=(time.perf_counter() - t0) * 1000, error=f"{type(exc).__name__}: {exc}")
            return _with_verdicts(rec, spec)
        wall = (time.perf_counter() - t0) * 1000
        products = shown_products(turn)
        said = [t.user for t in conv.turns[: index + 1]]  # the user's own words so far ("under 100" earlier)
        facts = [v for _, v in turn.data] + said + facts_texts(getattr(turn, "facts", None))
        context = list(seen.values()) + list(products)
        if getattr(turn, "facts", None) is not None:
            context += shown_products_of(turn.facts.products)
        rec = TurnRecord(
            **base, reply=turn.reply, action=action_name(turn.action), intent=turn.parse.intent,
            confidence=float(turn.parse.confidence),
            entities=tuple((e.type, e.value, e.text) for e in turn.parse.entities), products=products,
            timings=tuple((t.stage, float(t.ms)) for t in turn.timings), wall_ms=wall,
            guard_passed=bool(turn.guard_passed), fallback=bool(turn.fallback), error=turn.error,
            data=tuple((str(k), str(v)) for k, v in turn.data),
            unfaithful=unfaithful_mentions(turn.reply, context, facts, self.titles),
            facts_checked=getattr(turn, "facts", None) is not None)
        return _with_verdicts(rec, spec)

    def close(self) -> None:
        closer = getattr(self.assistant, "close", None)
        if callable(closer):
            closer()
        if self._tmp is not None:
            self._tmp.cleanup()


def _with_verdicts(rec: TurnRecord, spec: TurnSpec) -> TurnRecord:
    return replace(rec, verdicts=evaluate(spec.expect, rec))


def _backup(src: Path, dst: Path) -> None:
    """Copy one SQLite database into another with the online backup API (safe with open connections)."""
    s, d = sqlite3.connect(src), sqlite3.connect(dst, timeout=30)
    try:
        s.backup(d)
    finally:
        s.close()
        d.close()


# --- process-pool entry points (module-level so they pickle) ---------------------------------------
_WORKER: ReplayWorker | None = None


def init_process(cfg: WorkerConfig) -> None:
    global _WORKER
    logging.basicConfig(level=logging.WARNING)
    if cfg.torch_threads > 0:  # N workers x torch's default threads would oversubscribe the cores
        import torch

        torch.set_num_threads(cfg.torch_threads)
    _WORKER = ReplayWorker(cfg)


def replay_in_process(conv: Conversation) -> tuple[str, list[TurnRecord]]:
    if _WORKER is None:
        raise RuntimeError("worker not initialised")
    return conv.key, _WORKER.replay(conv)
