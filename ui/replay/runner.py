"""Run a replay: skip conversations already in the checkpoint, replay the rest on a backend, write reports.

Backends: ``local`` (``--workers 1``: in this process; ``N > 1``: a ``ProcessPoolExecutor`` of N spawned
processes, each building its own Assistant once) and ``ray`` (N Ray actors on a local ``ray.init()``
or an existing cluster, ``ray_address`` "auto" / HOST[:PORT] or ``RAY_ADDRESS``, each building its own
Assistant once; same per-conversation function; ui/replay/ray_backend.py). Finished conversations are
appended to the checkpoint as they complete, in completion order; the report is always assembled in input order, so it does not depend on scheduling.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from pathlib import Path

from tqdm import tqdm

from ui.replay.checkpoint import Checkpoint
from ui.replay.record import TurnRecord
from ui.replay.shared_db import shared_db_problem
from ui.replay.transcripts import Conversation, Problem
from ui.replay.worker import (AssistantFactory, ReplayWorker, WorkerConfig, build_assistant, factory_name, init_process,
                              load_catalog_titles, replay_in_process)

log = logging.getLogger(__name__)
BACKENDS = ("local", "ray")


class ReplayError(Exception):
    """A replay that cannot run as asked (bad option, missing optional backend)."""


@dataclass(frozen=True)
class ReplayOptions:
    out: Path
    workers: int = 1
    generate: bool = True
    seed: int = 13
    keep_state: bool = False
    allow_shared_db: bool = False  # replay into a non-empty server database (ui/replay/shared_db.py)
    backend: str = "local"
    ray_address: str | None = None  # backend ray: None = in-process local Ray, "auto" or HOST[:PORT] = a cluster
    factory: AssistantFactory = build_assistant
    progress: bool = True


@dataclass(frozen=True)
class ReplayRun:
    records: tuple[TurnRecord, ...]  # input order
    problems: tuple[Problem, ...]
    replayed: int  # conversations replayed in this invocation
    resumed: int  # conversations taken from the checkpoint
    catalog_size: int | None


def _meta(opts: ReplayOptions) -> dict:
    return {"generate": opts.generate, "seed": opts.seed, "keep_state": opts.keep_state, "factory": factory_name(opts.factory)}


def run_replay(conversations: tuple[Conversation, ...] | list[Conversation], settings, opts: ReplayOptions,
               problems: tuple[Problem, ...] = ()) -> ReplayRun:
    if opts.backend not in BACKENDS:
        raise ReplayError(f"unknown backend {opts.backend!r} (choose from {', '.join(BACKENDS)})")
    if opts.workers < 1:
        raise ReplayError("--workers must be at least 1")
    problem = shared_db_problem(settings.db_url, opts.allow_shared_db)
    if problem:
        raise ReplayError(problem)
    workers = opts.workers
    if opts.keep_state and workers > 1:
        log.warning("--keep-state replays in input order on one worker (state is shared); ignoring --workers %d", workers)
        workers = 1
    ckpt = Checkpoint(opts.out, _meta(opts))
    todo = [c for c in conversations if c.key not in ckpt.done]
    resumed = len(conversations) - len(todo)
    if resumed:
        log.info("resuming: %d of %d conversations already done in %s", resumed, len(conversations), ckpt.path)
    cfg = WorkerConfig(settings=settings.model_dump(mode="json"), generate=opts.generate, seed=opts.seed,
                       keep_state=opts.keep_state, factory=opts.factory)
    if todo:
        bar = tqdm(total=len(conversations), initial=resumed, desc="replay", unit="conv", disable=not opts.progress)
        try:
            for key, records in _dispatch(opts.backend, workers, cfg, todo, opts.ray_address):
                ckpt.append(key, records)
                bar.update(1)
        finally:
            bar.close()
    _, catalog_size = load_catalog_titles(settings.catalog_path)
    ordered = tuple(r for c in conversations for r in ckpt.done.get(c.key, ()))
    return ReplayRun(ordered, tuple(problems), len(todo), resumed, catalog_size)


def _dispatch(backend: str, workers: int, cfg: WorkerConfig, todo: list[Conversation],
              ray_address: str | None = None) -> Iterator[tuple[str, list[TurnRecord]]]:
    if backend == "ray":
        return _run_ray(workers, cfg, todo, ray_address)
    if workers == 1:
        return _run_inline(cfg, todo)
    return _run_pool(workers, cfg, todo)


def _run_inline(cfg: WorkerConfig, todo: list[Conversation]) -> Iterator[tuple[str, list[TurnRecord]]]:
    worker = ReplayWorker(cfg)
    try:
        for conv in todo:
            yield conv.key, worker.replay(conv)
    finally:
        worker.close()


def _run_pool(workers: int, cfg: WorkerConfig, todo: list[Conversation]) -> Iterator[tuple[str, list[TurnRecord]]]:
    # spawn: never fork a parent that may hold torch/OpenMP threads
    ctx = multiprocessing.get_context("spawn")
    workers = min(workers, len(todo))
    cfg = replace(cfg, torch_threads=max(1, (os.cpu_count() or 1) // workers))  # Ray gives each actor one CPU too
    with ProcessPoolExecutor(max_workers=workers, mp_context=ctx, initializer=init_process,
                             initargs=(cfg,)) as pool:
        futures = [pool.submit(replay_in_process, conv) for conv in todo]
        try:
            for fut in as_completed(futures):
                yield fut.result()
        except BaseException:
            for f in futures:
                f.cancel()
            raise


def _run_ray(workers: int, cfg: WorkerConfig, todo: list[Conversation],
             address: str | None) -> Iterator[tuple[str, list[TurnRecord]]]:
    from ui.replay.ray_backend import RayUnavailable, run_on_ray

    try:
        yield from run_on_ray(workers, cfg, todo, address)
    except RayUnavailable as exc:
        raise ReplayError(str(exc)) from None


def write_reports(run: ReplayRun, opts: ReplayOptions) -> dict:
    """Compute metrics and write report.json, turns.parquet and report.html into ``opts.out``."""
    from ui.replay.metrics import compute_metrics
    from ui.replay.report_html import write_report_html
    from ui.replay.report_json import build_report, write_report_json, write_turns_parquet

    metrics = compute_metrics(run.records, run.catalog_size)
    options = {**_meta(opts), "workers": opts.workers, "backend": opts.backend}
    report = build_report(run.records, run.problems, metrics, options)
    write_report_json(opts.out, report)
    write_turns_parquet(opts.out, run.records)
    write_report_html(opts.out, report, run.records)
    return report
