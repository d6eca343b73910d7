"""`shopbot serve` wiring: it builds the Assistant from Settings and hands uvicorn the full app."""

from __future__ import annotations

import io
from unittest import mock

from tests.ui.standin import StandInAssistant
from ui.cli.main import main


def test_serve_builds_the_app_from_settings(tmp_path):
    seen = {}

    def fake_run(app, host, port, **kw):
        seen.update(app=app, host=host, port=port)

    with mock.patch("ui.cli.serve.load_assistant", return_value=StandInAssistant()) as build, \
            mock.patch("uvicorn.run", fake_run):
        assert main(["--data-dir", str(tmp_path), "serve", "--port", "8123", "--no-generate", "--no-gradio"]) == 0
    settings, stores = build.call_args.args
    assert settings.port == 8123 and settings.generate is False and stores.settings is settings
    assert seen["host"] == "127.0.0.1" and seen["port"] == 8123
    paths = {getattr(r, "path", "") for r in seen["app"].routes}
    assert {"/docs", "/demo", "/static"} <= paths
    demo = next(s for s in settings.sites if s.key == "demo-site-key")
    assert "http://127.0.0.1:8123" in demo.origins and "http://localhost:8123" in demo.origins


def test_serve_rejects_a_bad_port_cleanly(tmp_path, capsys):
    assert main(["--data-dir", str(tmp_path), "serve", "--port", "70000"]) == 2
    assert "--port must be between" in capsys.readouterr().err


# --- issue 16: secure defaults -------------------------------------------------------------------------------
GOOD_SECRET = "s" * 48
OWN_SITES = '[{"key": "site_live_key_0123456789", "origins": ["https://shop.example"]}]'


def _serve(tmp_path, capsys, *args):
    """Run `shopbot serve ...` with the Assistant and uvicorn mocked; (exit code, stderr, uvicorn kwargs or None)."""
    seen = {}

    def fake_run(app, host, port, **kw):
        seen.update(app=app, host=host, port=port, **kw)

    with mock.patch("ui.cli.serve.load_assistant", return_value=StandInAssistant()) as build, \
            mock.patch("uvicorn.run", fake_run):
        code = main(["--data-dir", str(tmp_path), "serve", "--no-gradio", *args])
    err = capsys.readouterr().err
    if code == 2:
        assert not build.called, "the assistant must not even load with an unsafe configuration"
    return code, err, seen or None


def test_public_host_with_the_default_secret_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.delenv("SHOPBOT_USER_TOKEN_SECRET", raising=False)
    code, err, seen = _serve(tmp_path, capsys, "--host", "0.0.0.0")
    assert code == 2 and seen is None
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("shopbot: error: user_token_secret") and "shopbot keys" in lines[0]


def test_public_host_with_the_demo_site_key_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHOPBOT_USER_TOKEN_SECRET", GOOD_SECRET)
    monkeypatch.delenv("SHOPBOT_SITES", raising=False)
    code, err, _ = _serve(tmp_path, capsys, "--host", "0.0.0.0")
    assert code == 2 and err.startswith("shopbot: error: sites") and "demo-site-key" in err


def test_public_host_with_a_short_secret_is_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHOPBOT_USER_TOKEN_SECRET", "short-but-not-default")
    monkeypatch.setenv("SHOPBOT_SITES", OWN_SITES)
    code, err, _ = _serve(tmp_path, capsys, "--host", "0.0.0.0")
    assert code == 2 and "user_token_secret is shorter" in err


def test_bad_security_settings_are_one_clear_error(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHOPBOT_TRUSTED_PROXIES", '["10.0.0.0/8", "not-a-cidr"]')
    code, err, _ = _serve(tmp_path, capsys)
    assert code == 2 and "trusted_proxies" in err and "not-a-cidr" in err
    monkeypatch.delenv("SHOPBOT_TRUSTED_PROXIES")
    monkeypatch.setenv("SHOPBOT_ADMIN_PASSWORD_HASH", "plaintext-password")
    code, err, _ = _serve(tmp_path, capsys)
    assert code == 2 and "admin_password_hash is not a bcrypt hash" in err


def test_public_host_with_own_keys_serves_without_demo_or_proxy_trust(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("SHOPBOT_USER_TOKEN_SECRET", GOOD_SECRET)
    monkeypatch.setenv("SHOPBOT_SITES", OWN_SITES)
    code, err, seen = _serve(tmp_path, capsys, "--host", "0.0.0.0", "--port", "8124")
    assert code == 0, err
    assert seen["host"] == "0.0.0.0" and seen["proxy_headers"] is False  # X-Forwarded-For: trusted_proxies only
    paths = {getattr(r, "path", "") for r in seen["app"].routes}
    assert "/demo" not in paths and "/v1/health" in seen["app"].openapi()["paths"]  # no demo page outside demo mode


def test_loopback_serve_does_not_trust_forwarded_headers_either(tmp_path, capsys):
    code, _, seen = _serve(tmp_path, capsys, "--port", "8125")
    assert code == 0 and seen["proxy_headers"] is False


def test_keys_prints_a_working_configuration(tmp_path, capsys, monkeypatch):
    import tomllib

    import bcrypt

    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery staple\n"))
    assert main(["keys", "--origin", "https://shop.example/", "--admin-password"]) == 0
    out = capsys.readouterr().out
    toml_part = out.split("# or the environment")[0]
    config = tomllib.loads(toml_part)
    assert len(config["user_token_secret"]) >= 48 and config["sites"][0]["origins"] == ["https://shop.example"]
    assert config["sites"][0]["key"].startswith("site_") and config["sites"][0]["key"] != "demo-site-key"
    assert bcrypt.checkpw(b"correct horse battery staple", config["admin_password_hash"].encode())
    assert f"SHOPBOT_USER_TOKEN_SECRET={config['user_token_secret']}" in out and "SHOPBOT_SITES=" in out
    assert main(["keys"]) == 0
    assert tomllib.loads(capsys.readouterr().out.split("# or the environment")[0])["user_token_secret"] != config["user_token_secret"]


def test_keys_rejects_bad_input(capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    assert main(["keys", "--admin-password"]) == 2 and "at least 12" in capsys.readouterr().err
    assert main(["keys", "--origin", "shop.example"]) == 2 and "--origin" in capsys.readouterr().err
