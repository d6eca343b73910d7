"""`shopbot serve` wiring: it builds the Assistant from Settings and hands uvicorn the full app."""

from __future__ import annotations

from unittest import mock

from tests.ui.standin import StandInAssistant
from ui.cli.main import main


def test_serve_builds_the_app_from_settings(tmp_path):
    seen = {}

    def fake_run(app, host, port, **kw):
        seen.update(app=app, host=host, port=port)

    with mock.patch("assistant.assistant.Assistant.from_settings", return_value=StandInAssistant()) as build, \
            mock.patch("uvicorn.run", fake_run):
        assert main(["--data-dir", str(tmp_path), "serve", "--port", "8123", "--no-generate", "--no-gradio"]) == 0
    settings = build.call_args.args[0]
    assert settings.port == 8123 and settings.generate is False and build.call_args.kwargs == {"generate": False}
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    paths = {getattr(r, "path", "") for r in seen["app"].routes}
    assert {"/docs", "/demo", "/static"} <= paths
    demo = next(s for s in settings.sites if s.key == "demo-site-key")
    assert "http://127.0.0.1:8123" in demo.origins and "http://localhost:8123" in demo.origins


def test_serve_rejects_a_bad_port_cleanly(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "serve", "--port", "70000"]) == 2
    assert "--port must be between" in capsys.readouterr().err
