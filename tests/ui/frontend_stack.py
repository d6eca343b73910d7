"""One server per test session for the front-end tests (API over real HTTP, widget and Gradio in Chromium):
the real ``Assistant`` (template writer, ``generate=False``) over a small generated catalog in a temporary data
directory, behind ``ui.app.build_app`` (Gradio + widget API) on a free loopback port.

Test modules import the ``frontend`` fixture; the stack itself is built once (module-level cache) so several
modules share it."""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.stores import open_stores
from tests.ui.widget_server import serve, site_settings

log = logging.getLogger(__name__)
CATALOG_SIZE = 150
BUILD_NEEDED = ("catalog", "index")  # build_runtime seeds the demo orders and indexes the policies itself
_lock = threading.Lock()
_stack: dict[str, object] = {}  # the one cached stack, built on first use (and its context manager)


@dataclass(frozen=True)
class FrontendStack:
    url: str
    settings: object
    assistant: object  # the real assistant.assistant.Assistant


def _run_build(settings) -> None:
    from ui.cli.build import BUILD_STEPS

    for name, step in BUILD_STEPS:
        if name not in BUILD_NEEDED:
            continue
        log.info("test build step %s", name)
        step(settings)


def _make_assistant(settings):
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime

    _run_build(settings)
    return Assistant(build_runtime(settings, generate=False))


def _build(data_dir: Path) -> FrontendStack:
    from assistant.settings import Settings
    from ui.app import build_app

    base = Settings(data_dir=data_dir, catalog_size=CATALOG_SIZE, generate=False, writer="template")
    made: dict[str, object] = {}

    def make(url: str):
        settings = site_settings(base, url, session_burst=1_000, session_per_second=100.0)
        assistant = _make_assistant(settings)
        made.update(settings=settings, assistant=assistant)
        return build_app(open_stores(settings), assistant)

    cm = serve(make)
    url = cm.__enter__()
    _stack["cm"] = cm
    return FrontendStack(url, made["settings"], made["assistant"])


@pytest.fixture(scope="session")
def frontend(tmp_path_factory) -> FrontendStack:
    with _lock:
        if "stack" not in _stack:
            _stack["stack"] = _build(tmp_path_factory.mktemp("frontend") / "data")
    return _stack["stack"]

