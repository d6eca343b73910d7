"""The one server: the widget API (/v1, docs at /docs), the widget's static files (/static), the demo shop
page (/demo), the Gradio chat UI at / and, only when an admin login is configured (``admin_password_hash``), the
staff app (Review + Analytics) at /admin behind Gradio's login; built from a Settings and an AssistantAPI."""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.protocol import AssistantAPI
from assistant.stores import Stores
from assistant.settings import Settings
from ui.api import install_widget_api

STATIC_DIR = Path(__file__).resolve().parent / "static"
log = logging.getLogger(__name__)
USER_TOKEN_COOKIE = "shopbot_user_token"


def admin_auth(settings: Settings) -> Callable[[str, str], bool] | None:
    """Gradio's login check for the admin app (bcrypt), or None when no admin password hash is configured."""
    if not settings.admin_password_hash:
        return None
    import bcrypt

    try:
        stored = settings.admin_password_hash.encode("ascii")
        bcrypt.checkpw(b"probe", stored)  # a malformed hash fails here, at start-up, not at the first login
    except ValueError as exc:
        raise ValueError("admin_password_hash is not a bcrypt hash (make one with `shopbot keys --admin-password`)") from exc

    def check(username: str, password: str) -> bool:
        user_ok = hmac.compare_digest((username or "").encode(), settings.admin_user.encode())
        password_ok = bcrypt.checkpw((password or "").encode("utf-8")[:72], stored)
        return user_ok and password_ok
    return check


def token_identity(settings: Settings) -> Callable[[object], str | None]:
    """The chat UI's login: the customer a user token (``?user_token=`` or the cookie) names, for ``UI_AUDIENCE``."""
    from assistant.settings import DEFAULT_USER_TOKEN_SECRET
    from ui.api.tokens import verify_user_token
    from ui.gradio_ui import UI_AUDIENCE

    def identify(request) -> str | None:
        token = request.query_params.get("user_token") or request.cookies.get(USER_TOKEN_COOKIE)
        if not token or (settings.user_token_secret == DEFAULT_USER_TOKEN_SECRET and not settings.demo_enabled):
            return None
        return verify_user_token(token, settings.user_token_secret, UI_AUDIENCE, settings.widget.user_token_ttl_s)
    return identify


def build_app(stores: Stores, assistant: AssistantAPI, *, gradio: bool = True, registry=None) -> FastAPI:
    """The server over ``stores`` (settings, database: the admin pages) and ``assistant`` (every chat call);
    ``registry``: the widget's session registry (default in memory; ``ui/workers.py`` passes the SQL one)."""
    settings = stores.settings
    app = FastAPI(title="shopbot widget API", version="1",
                  description="Chat-widget API: every /v1 call needs an X-Site-Key header; "
                              "an optional X-User-Token (HMAC-signed) names the signed-in customer.")
    install_widget_api(app, settings, assistant, registry=registry)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    if settings.demo_enabled:  # the demo shop page embeds the demo site key
        @app.get("/demo", include_in_schema=False)
        def demo() -> FileResponse:
            return FileResponse(STATIC_DIR / "demo.html", media_type="text/html")

    if gradio:
        app = _mount_gradio(app, stores, assistant)
    return app


def _limit_admin_logins(app: FastAPI, burst: int = 5, per_second: float = 1 / 12) -> None:
    """Password guessing on /admin/login: ``burst`` tries per client, then one every 12 s (429 + Retry-After)."""
    from ui.api.deps import client_ip
    from ui.api.errors import error_response
    from ui.api.ratelimit import RateLimiter

    limiter = RateLimiter(per_second, burst, max_keys=10_000)

    @app.middleware("http")
    async def admin_login_limit(request, call_next):
        if request.method == "POST" and request.url.path.rstrip("/") == "/admin/login":
            wait = limiter.take(client_ip(request, app.state.widget))
            if wait > 0:
                retry = limiter.retry_after(wait)
                return error_response(429, "rate_limited", f"Too many login attempts; retry in {retry} s.",
                                      {"Retry-After": retry})
        return await call_next(request)


def _mount_gradio(app: FastAPI, stores: Stores, assistant: AssistantAPI) -> FastAPI:
    import gradio as gr

    from ui.gradio_ui import CSS, build_admin_blocks, build_blocks, local_theme

    settings = stores.settings
    auth = admin_auth(settings)
    if auth is not None:  # mounted before "/" (which would catch /admin otherwise)
        from assistant.analytics.page import analytics_page
        from ui.review_ui import ReviewDesk

        desk = ReviewDesk(stores.engine, settings.nlu_confidence_threshold)
        admin = build_admin_blocks(analytics=lambda since: analytics_page(stores.engine, settings, since), review=desk)
        admin.queue(default_concurrency_limit=2)
        app = gr.mount_gradio_app(app, admin, path="/admin", auth=auth, auth_message="shopbot staff login",
                                  css=CSS, theme=local_theme(), ssr_mode=False, mcp_server=False, footer_links=[])
        _limit_admin_logins(app)
    else:
        log.info("no admin_password_hash set: the Review and Analytics tabs are not served")
    blocks = build_blocks(assistant, demo=settings.demo_enabled, max_text_chars=settings.widget.max_text_chars,
                          identify=token_identity(settings))
    blocks.queue(default_concurrency_limit=4)
    return gr.mount_gradio_app(app, blocks, path="/", css=CSS, theme=local_theme(), ssr_mode=False,
                               mcp_server=False, footer_links=[])
