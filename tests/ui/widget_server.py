"""Helpers for front-end tests: run an app with uvicorn on a free loopback port in a background thread."""

from __future__ import annotations

import contextlib
import json
import socket
import threading
import time
from collections.abc import Iterator

import httpx
import uvicorn

SITE_KEY = "demo-site-key"  # the key demo.html embeds
OTHER_KEY = "other-site-key"


def free_socket() -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


def site_settings(base_settings, base_url: str, **widget):
    """``base_settings`` with two sites (ours allowing ``base_url`` + a shop origin, another site) and limits."""
    from assistant.settings import SiteConfig, WidgetLimits

    sites = [SiteConfig(key=SITE_KEY, origins=[base_url, "https://shop.example"]),
             SiteConfig(key=OTHER_KEY, origins=["https://other.example"])]
    limits = WidgetLimits(**{"ip_burst": 10_000, "ip_per_second": 1_000.0, **widget})
    return base_settings.model_copy(update={"sites": sites, "widget": limits, "user_token_secret": "test-secret"})


@contextlib.contextmanager
def serve(make_app) -> Iterator[str]:
    """``make_app(base_url) -> ASGI app``; yields the base URL while the server runs."""
    sock = free_socket()
    base_url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    server = uvicorn.Server(uvicorn.Config(make_app(base_url), log_level="warning", access_log=False, lifespan="on"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("test server did not start")
        time.sleep(0.05)
    try:
        yield base_url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        sock.close()


def sse_events(response: httpx.Response) -> list[tuple[str, str]]:
    events, name, data = [], None, []
    for line in response.iter_lines():
        if line.startswith("event:"):
            name = line[6:].strip()
        elif line.startswith("data:"):
            data.append(line[5:].lstrip())
        elif line == "" and name is not None:
            events.append((name, "\n".join(data)))
            name, data = None, []
    return events


def decode(events: list[tuple[str, str]]) -> list[tuple[str, object]]:
    return [(name, json.loads(data)) for name, data in events]
