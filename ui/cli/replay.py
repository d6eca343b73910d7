"""`shopbot replay FILE...`: replay transcripts through the assistant and write a scored report;
`shopbot replay --compare OLD NEW`: show regressions between two runs (exit 1 when there are any)."""

from __future__ import annotations

import logging
from pathlib import Path

from assistant.errors import UserError
from ui.replay.worker import build_assistant

log = logging.getLogger(__name__)

# what each replay worker builds its AssistantAPI with (the tests swap in a stand-in)
ASSISTANT_FACTORY = build_assistant


def register(sub) -> None:
    p = sub.add_parser("replay", help="replay transcripts and score the assistant (report.html/json, turns.parquet)",
                       description="Replay JSONL transcripts (or CSV/JSONL logged turns) and score every turn.",
                       epilog="Transcript format, metrics, fresh vs --keep-state, resume and Ray: ui/replay/README.md")
    p.add_argument("files", nargs="*", type=Path, help="transcript files (.jsonl conversations, or .csv/.jsonl logged turns)")
    p.add_argument("--out", type=Path, help="output directory (default <data-dir>/replay); a rerun resumes there")
    p.add_argument("--workers", type=int, default=1, help="worker processes (each loads the models once); 1 = in-process")
    p.add_argument("--no-generate", action="store_true", help="deterministic template replies (no language model)")
    p.add_argument("--seed", type=int, help="seed (default: settings seed)")
    p.add_argument("--keep-state", action="store_true",
                   help="replay in order against the data dir itself, letting sessions/interactions/orders accumulate")
    p.add_argument("--allow-shared-db", action="store_true",
                   help="replay even into a non-empty server (PostgreSQL) database, writing sessions and orders there")
    p.add_argument("--backend", choices=("local", "ray"), default="local", help="local process pool, or Ray actors")
    p.add_argument("--address", metavar="auto|HOST[:PORT]",
                   help="--backend ray: the Ray cluster to use ('auto' = the one running on this machine); "
                        "default: a private local Ray")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("OLD", "NEW"), help="compare two replay runs")
    p.add_argument("--no-progress", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def _compare(args) -> int:
    from ui.replay.compare import CompareError, compare_reports, load_report, render_text, write_comparison

    old_dir, new_dir = args.compare
    try:
        c = compare_reports(load_report(old_dir), load_report(new_dir), str(old_dir), str(new_dir))
    except CompareError as exc:
        raise UserError(str(exc)) from None
    out = args.out or (new_dir if new_dir.is_dir() else new_dir.parent)
    write_comparison(out, c)
    print(render_text(c))
    print(f"\nwrote {out / 'compare.html'} and {out / 'compare.json'}")
    return 1 if (c.regressions or c.broken) else 0


def _build(settings) -> None:
    """Run the idempotent build steps so the Assistant finds its catalog, index and demo stores."""
    from ui.cli.build import run_steps

    for name, seconds in run_steps(settings):
        log.info("build step %s: ok (%.1fs)", name, seconds)


def run(args, settings) -> int:
    if args.compare:
        if args.files:
            raise UserError("give either transcript files or --compare OLD NEW, not both")
        return _compare(args)
    if args.address and args.backend != "ray":
        raise UserError("--address needs --backend ray")
    if not args.files:
        raise UserError("no transcript files given (shopbot replay FILE... or --compare OLD NEW)")
    from ui.replay.checkpoint import CheckpointMismatch
    from ui.replay.runner import ReplayError, ReplayOptions, run_replay, write_reports
    from ui.replay.shared_db import shared_db_problem
    from ui.replay.transcripts import TranscriptError, load_transcripts

    try:
        loaded = load_transcripts(args.files)
    except TranscriptError as exc:
        raise UserError(str(exc)) from None
    for p in loaded.problems:
        log.warning("skipped %s", p)
    if not loaded.conversations:
        raise UserError(f"no valid conversations in {', '.join(map(str, args.files))}")
    opts = ReplayOptions(out=args.out or settings.data_dir / "replay", workers=args.workers,
                         generate=not args.no_generate, seed=settings.seed if args.seed is None else args.seed,
                         keep_state=args.keep_state, allow_shared_db=args.allow_shared_db, backend=args.backend,
                         ray_address=args.address, factory=ASSISTANT_FACTORY,
                         progress=not args.no_progress)
    problem = shared_db_problem(settings.db_url, opts.allow_shared_db)
    if problem:  # before the build steps, which would write into it too
        raise UserError(problem)
    if opts.factory is build_assistant:  # a stand-in factory (tests) needs no built data dir
        _build(settings)
    try:
        result = run_replay(loaded.conversations, settings, opts, loaded.problems)
    except (ReplayError, CheckpointMismatch, ValueError) as exc:
        raise UserError(str(exc)) from None
    report = write_reports(result, opts)
    print(summary_table(report))
    print(f"\n{result.replayed} conversation(s) replayed, {result.resumed} resumed from the checkpoint, "
          f"{len(loaded.problems)} input line(s) skipped. Report: {opts.out / 'report.html'}")
    return 0


def summary_table(report: dict) -> str:
    m = report["metrics"]
    rows = [("conversations / turns", f"{m['conversations']} / {m['turns']}")]
    for key in ("intent_accuracy", "action_accuracy", "entity_micro_f1", "product_constraint_rate", "reply_check_rate",
                "expectation_pass_rate", "guard_pass_rate", "clarification_rate", "fallback_rate", "coverage"):
        rows.append((key, "n/a" if m[key] is None else f"{m[key]:.3f}"))
    rows.append(("unfaithful_mentions (must be 0)", str(m["unfaithful_mentions"])))
    rows.append(("failed expectations", f"{m['failed_expectations']} of {m['expectations']}"))
    for s in m["latency"]:
        rows.append((f"latency {s['stage']} p50 / p95 ms", f"{s['p50_ms']:.1f} / {s['p95_ms']:.1f}"))
    for k in ("mean_distinct_brands", "mean_distinct_categories"):
        rows.append((k, "n/a" if m[k] is None else f"{m[k]:.2f}"))
    return "\n".join(["| metric | value |", "|---|---:|"] + [f"| {a} | {b} |" for a, b in rows])
