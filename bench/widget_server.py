"""The server process of ``bench.widget_load``: the real Assistant behind the widget API (no Gradio), rate
limits lifted so the bench measures the pipeline, not the limiter.

``python -m bench.widget_server --data-dir D --port P [--generate] [--secret S]`` (the data dir must be built)."""

from __future__ import annotations

import argparse
import logging
import os
from pathlib import Path

log = logging.getLogger("bench.widget_server")
UNLIMITED = {"ip_burst": 10**9, "ip_per_second": 1e9, "session_burst": 10**9, "session_per_second": 1e9}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, required=True)
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--generate", action="store_true")
    ap.add_argument("--secret", default="bench-secret")
    args = ap.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    import uvicorn

    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime
    from assistant.settings import Settings, WidgetLimits
    from ui.app import build_app

    settings = Settings(data_dir=args.data_dir, generate=args.generate, user_token_secret=args.secret,
                        widget=WidgetLimits(**UNLIMITED))
    runtime = build_runtime(settings, generate=args.generate)
    log.info("assistant ready (generate: %s)", args.generate)
    uvicorn.run(build_app(runtime.stores, Assistant(runtime), gradio=False), host="127.0.0.1", port=args.port,
                log_level="warning", access_log=False)


if __name__ == "__main__":
    main()
