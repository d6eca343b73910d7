"""`shopbot serve [--host] [--port] [--no-generate]`: the Gradio UI, the widget API and the demo page on one port.

On a non-loopback address it refuses the built-in secret and demo site key (README "Security")."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)


def register(sub) -> None:
    p = sub.add_parser("serve", help="serve the chat UI (/), the widget API (/v1, docs at /docs) and the demo shop page (/demo)")
    p.add_argument("--host", help="interface to bind (default: settings.host, 127.0.0.1)")
    p.add_argument("--port", type=int, help="port (default: settings.port, 7860)")
    p.add_argument("--no-generate", action="store_true", help="template replies only (no language model)")
    p.add_argument("--no-gradio", action="store_true", help="serve only the widget API and static files")
    p.add_argument("--workers", type=int, default=1,
                   help="widget API worker processes (>1: API only, needs PostgreSQL and a Chroma server)")
    p.set_defaults(func=run)


MIN_SECRET_CHARS = 32


def config_problem(settings) -> str | None:
    """Why ``settings`` cannot be served (a malformed security setting, or demo secrets on a non-loopback
    address), or None; see README "Security"."""
    from assistant.settings import DEFAULT_USER_TOKEN_SECRET, DEMO_SITE_KEY, is_loopback
    from ui.api.ratelimit import parse_networks
    from ui.app import admin_auth

    try:
        parse_networks(settings.trusted_proxies)
        admin_auth(settings)
    except ValueError as exc:
        return str(exc)
    if is_loopback(settings.host):
        return None
    fix = "run `shopbot keys` and set it in shopbot.toml or the environment"
    if settings.user_token_secret == DEFAULT_USER_TOKEN_SECRET:
        return f"user_token_secret is the built-in default; refusing to serve on {settings.host!r} ({fix})"
    if len(settings.user_token_secret) < MIN_SECRET_CHARS:
        return f"user_token_secret is shorter than {MIN_SECRET_CHARS} characters; refusing to serve on {settings.host!r} ({fix})"
    if any(site.key == DEMO_SITE_KEY for site in settings.sites):
        return f"sites contains the demo site key {DEMO_SITE_KEY!r}; refusing to serve on {settings.host!r} ({fix})"
    return None


def with_own_origins(settings):
    """Let the built-in demo site (the /demo page this server serves) call the API from this host and port."""
    from assistant.settings import DEMO_SITE_KEY

    hosts = {settings.host, "127.0.0.1", "localhost"} - {"0.0.0.0", "::"}
    own = [f"http://{h}:{settings.port}" for h in sorted(hosts)]
    sites = [s.model_copy(update={"origins": list(dict.fromkeys([*s.origins, *own]))}) if s.key == DEMO_SITE_KEY else s
             for s in settings.sites]
    return settings.model_copy(update={"sites": sites})


def run(args, settings) -> int:
    from assistant.settings import is_loopback
    from assistant.errors import UserError

    updates = {k: v for k, v in (("host", args.host), ("port", args.port)) if v is not None}
    if args.no_generate:
        updates["generate"] = False
    settings = settings.model_copy(update=updates)
    if not 0 < settings.port < 65536:
        raise UserError(f"--port must be between 1 and 65535, not {settings.port}")
    problem = config_problem(settings)
    if problem:
        raise UserError(problem)
    if settings.demo_enabled and not is_loopback(settings.host):
        log.warning("demo_mode is on while serving on %s: anyone can pick any demo customer", settings.host)
    settings = with_own_origins(settings)
    if args.workers != 1:
        from ui.workers import run_workers

        return run_workers(settings, args.workers)
    return serve_single(settings, gradio=not args.no_gradio)


def serve_single(settings, *, gradio: bool = True) -> int:
    """One process: open the stores, bind at once and load the models in a background thread
    (``ui/lazy_assistant.py``): /v1/health, the static files and the chat page answer while the models load; the
    first chat call waits. A failed load stops the server (SIGINT to this process) and is reported as
    ``shopbot: error: ...``."""
    import os
    import signal
    import threading

    import uvicorn

    from assistant.errors import UserError
    from assistant.stores import open_stores
    from ui.app import build_app
    from ui.lazy_assistant import BackgroundAssistant, quick_demo_users

    serving = threading.Event()
    released = threading.Event()  # set once uvicorn.run has returned: load (or fail) without waiting for the port

    def stop(_exc: BaseException) -> None:  # the load failed: stop uvicorn the way Ctrl-C does
        if serving.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    def load():  # after the port is up: the loader must not slow the imports and page build before it
        wait_until_listening(settings.host, settings.port, released)
        return load_assistant(settings, stores)

    with open_stores(settings) as stores:
        log.info("loading the assistant from %s in the background", settings.data_dir)
        assistant = BackgroundAssistant(load, on_error=stop, early_demo_users=quick_demo_users(stores.orders)).start()
        app = build_app(stores, assistant, gradio=gradio)
        try:
            serving.set()
            if assistant.error is None:
                log.info("serving on http://%s:%d  (chat UI /, widget demo /demo, API docs /docs)", settings.host,
                         settings.port)
                # proxy_headers=False: uvicorn would otherwise trust X-Forwarded-For from any local peer; the widget
                # API reads it itself, from settings.trusted_proxies only (ui/api/ratelimit.py)
                uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False,
                            proxy_headers=False)
        except KeyboardInterrupt:  # the failed load's SIGINT came before uvicorn took over the signal
            pass
        released.set()
        assistant.join(timeout=2.0)  # a load that is about to fail reports its error below
    if assistant.error is not None:
        hint = "; run `shopbot build` first" if isinstance(assistant.error, FileNotFoundError) else ""
        raise UserError(f"{assistant.error}{hint}")
    return 0


def load_assistant(settings, stores):
    """The Assistant over a runtime built on the server's ``stores`` (runs in the background loader thread)."""
    from assistant.assistant import Assistant
    from assistant.runtime import build_runtime

    return Assistant(build_runtime(settings, stores=stores, generate=settings.generate))


def wait_until_listening(host: str, port: int, stop, timeout_s: float = 120.0) -> None:
    """Return once ``host:port`` accepts connections (or ``stop`` is set, or after ``timeout_s``)."""
    import socket
    import time

    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline and not stop.is_set():
        try:
            socket.create_connection((target, port), timeout=0.5).close()
            return
        except OSError:
            stop.wait(0.05)
