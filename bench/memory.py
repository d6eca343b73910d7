"""Peak memory (RSS) of a process with every model loaded, and what each model adds.

    python -m bench.memory --data-dir <built data dir> [--code-dir <other checkout>] [--turns 3]

Each measurement runs in a fresh child process (``--child``) so nothing is shared between them: the child
loads the Assistant with every model through ``Assistant(build_runtime(settings))`` (generation on), runs a few turns
with generation, and reports its peak RSS (``ru_maxrss``) after loading and after the turns. It also loads
the models one by one in that order (embedder, NLU, writer) and reports the resident-size step each adds.
``--code-dir`` runs the same measurement over another checkout too (e.g. the previous commit from
``git archive``), interleaved with this one, for a before/after in one run. Writes bench/out/memory.json.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out" / "memory.json"
REPO = Path(__file__).resolve().parent.parent
TURNS = ("show me running shoes under 120", "is the first one waterproof?", "where is my order 10001")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def current_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return float("nan")


def components(settings) -> dict[str, float]:
    """Resident MB added by each model, loaded in turn into this process."""
    steps: dict[str, float] = {}
    before = current_mb()
    import torch  # noqa: F401 - the runtime every model shares

    steps["python+torch"] = current_mb()
    from retrieval.embeddings import Embedder

    embedder = Embedder(settings.embedding_model)
    embedder.encode(["warm up"])
    steps["embedder"] = current_mb()
    from assistant.nlu.parser import NluParser

    parser = NluParser.load(settings.nlu_model_dir, threshold=settings.nlu_confidence_threshold, speed=settings.nlu_speed)
    steps["nlu"] = current_mb()
    from assistant.writer.factory import writer_from_settings

    writer = writer_from_settings(settings)
    steps["writer"] = current_mb()
    del embedder, parser, writer
    out, last = {}, before
    for name, mb in steps.items():
        out[name] = round(mb - last, 1)
        last = mb
    out["total"] = round(last, 1)
    return out


def child(data_dir: str, turns: int) -> dict:
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="shopbot-mem-"))
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{scratch / 'mem.db'}")
    parts = components(settings)
    after_parts = peak_mb()
    assistant = Assistant(build_runtime(settings, generate=True))
    rss_loaded = current_mb()
    sid = assistant.new_session("dave")
    for text in TURNS[:turns]:
        assistant.handle(sid, "dave", text, generate=True)
    return {"components_mb": parts, "peak_after_components_mb": round(after_parts, 1),
            "rss_assistant_loaded_mb": round(rss_loaded, 1), "peak_rss_mb": round(peak_mb(), 1),
            "writer_loaded": assistant.writer is not None,
            "writer_dtype": str(getattr(getattr(getattr(assistant.writer, "backend", None), "model", None), "dtype", None))}


def measure_only_assistant(data_dir: str, turns: int) -> dict:
    """Peak RSS of just the Assistant (no component-by-component loading first): the serve process's figure."""
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings

    scratch = Path(tempfile.mkdtemp(prefix="shopbot-mem-"))
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{scratch / 'mem.db'}")
    assistant = Assistant(build_runtime(settings, generate=True))
    loaded = peak_mb()
    sid = assistant.new_session("dave")
    for text in TURNS[:turns]:
        assistant.handle(sid, "dave", text, generate=True)
    return {"peak_after_load_mb": round(loaded, 1), "peak_rss_mb": round(peak_mb(), 1),
            "writer_loaded": assistant.writer is not None}


def run_child(code_dir: Path, data_dir: str, turns: int, mode: str) -> dict:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "TOKENIZERS_PARALLELISM": "false",
           "PYTHONPATH": str(code_dir)}
    # runpy, not `python bench/memory.py`: that would put bench/ (with its retrieval.py) first on sys.path
    script = (f"import runpy, sys; sys.argv = ['bench.memory', '--child', {mode!r}, '--data-dir', {data_dir!r}, "
              f"'--turns', '{turns}']; runpy.run_path({str(Path(__file__).resolve())!r}, run_name='__main__')")
    cmd = [sys.executable, "-c", script]
    done = subprocess.run(cmd, cwd=code_dir, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip().splitlines()[-1:] if done.stderr else f"exit {done.returncode}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, help="a built data dir (shopbot build)")
    ap.add_argument("--code-dir", type=Path, help="another checkout to measure too (the 'before')")
    ap.add_argument("--turns", type=int, default=3)
    ap.add_argument("--child", choices=("components", "assistant"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.ERROR)
    if args.child:
        fn = child if args.child == "components" else measure_only_assistant
        print(json.dumps(fn(args.data_dir, args.turns)))
        return 0
    result: dict = {"load_average": os.getloadavg()[0]}
    checkouts = {"after": REPO, **({"before": args.code_dir.resolve()} if args.code_dir else {})}
    for name, code in checkouts.items():
        result[name] = {"assistant": run_child(code, args.data_dir, args.turns, "assistant")}
    for name, code in checkouts.items():
        result[name]["components"] = run_child(code, args.data_dir, args.turns, "components")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=2))
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
