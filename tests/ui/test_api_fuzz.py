"""A short schemathesis fuzz of the widget API (a few hundred generated requests over real HTTP on loopback,
the real Assistant with light stand-ins for the models): no request may get a 5xx. The full run against the
real models is ``python -m bench.fuzz_api`` (bench/RESULTS.md)."""

from __future__ import annotations

import pytest
import schemathesis  # noqa: F401  (installed by `make install`: a missing fuzzer fails, never skips)

from assistant.stores import open_stores


@pytest.mark.server
def test_generated_requests_never_get_a_5xx(tmp_path):
    from bench.fuzz_api import fuzz
    from tests.assistant.light_assistant import SlowWriter, light_assistant
    from tests.ui.widget_server import serve, site_settings
    from ui.app import build_app

    bot = light_assistant(tmp_path / "d", writer=SlowWriter(delay_s=0.0))
    unlimited = {"ip_burst": 10**6, "ip_per_second": 1e6, "session_burst": 10**6, "session_per_second": 1e6}

    def make_app(base_url):
        settings = site_settings(bot.settings, base_url, **unlimited).model_copy(update={"admin_token": "fuzz-admin"})
        return build_app(open_stores(settings), bot, gradio=False)

    with serve(make_app) as url:
        report = fuzz(url, examples=25)
    assert report.requests >= 200 and report.operations >= 5
    assert report.count_5xx == 0, report.server_errors
