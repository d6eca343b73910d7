"""FastAPI dependencies (``Annotated``): context, per-client limits (the client behind trusted proxies), site key +
origin, the optional user token (bound to the site; refused when it could be signed with the default secret outside
demo mode), and the caller's own session."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.protocol import AssistantAPI
from assistant.settings import DEFAULT_USER_TOKEN_SECRET, Settings, SiteConfig
from ui.api.context import WidgetContext
from ui.api.errors import ApiError
from ui.api.sessions import SessionBinding
from ui.api.ratelimit import client_address
from ui.api.tokens import TokenError, verify_user_token


def get_context(request: Request) -> WidgetContext:
    return request.app.state.widget


Context = Annotated[WidgetContext, Depends(get_context)]


def get_settings(ctx: Context) -> Settings:
    return ctx.settings


def get_assistant(ctx: Context) -> AssistantAPI:
    return ctx.assistant


SettingsDep = Annotated[Settings, Depends(get_settings)]
AssistantDep = Annotated[AssistantAPI, Depends(get_assistant)]


def _limit(limiter, key: str, what: str) -> None:
    wait = limiter.take(key)
    if wait > 0:
        retry = limiter.retry_after(wait)
        raise ApiError(429, "rate_limited", f"Too many requests from this {what}; retry in {retry} s.", {"Retry-After": retry})


def client_ip(request: Request, ctx: WidgetContext) -> str:
    """The client's address: the peer, or (behind a trusted proxy) the right-most untrusted X-Forwarded-For hop."""
    peer = request.client.host if request.client else "unknown"
    return client_address(peer, request.headers.getlist("x-forwarded-for"), ctx.trusted_proxies)


def ip_limit(request: Request, ctx: Context) -> str:
    ip = client_ip(request, ctx)
    _limit(ctx.ip_limiter, ip, "address")
    return ip


def find_site(ctx: WidgetContext, key: str | None) -> SiteConfig | None:
    """The configured site with this key (constant-time comparison), or None."""
    if not key:
        return None
    raw = key.encode("utf-8", "surrogateescape")
    return next((s for s in ctx.settings.sites if hmac.compare_digest(s.key.encode(), raw)), None)


def get_site(ctx: Context, _ip: Annotated[str, Depends(ip_limit)], origin: Annotated[str | None, Header()] = None,
             x_site_key: Annotated[str | None, Header()] = None) -> SiteConfig:
    if not x_site_key:
        raise ApiError(401, "missing_site_key", "Send the site key in the X-Site-Key header.")
    site = find_site(ctx, x_site_key)
    if site is None:
        raise ApiError(401, "invalid_site_key", "The site key is not known.")
    if origin is not None and origin.rstrip("/") not in {o.rstrip("/") for o in site.origins}:
        raise ApiError(403, "origin_not_allowed", "This origin may not use this site key.")
    return site


Site = Annotated[SiteConfig, Depends(get_site)]


def get_user(settings: SettingsDep, site: Site, x_user_token: Annotated[str | None, Header()] = None) -> str | None:
    """The signed-in customer named by X-User-Token (a token for this site), or None for an anonymous visitor."""
    if not x_user_token:
        return None
    if settings.user_token_secret == DEFAULT_USER_TOKEN_SECRET and not settings.demo_enabled:
        raise ApiError(401, "invalid_user_token", "User tokens are disabled: this server has no user_token_secret set.")
    try:
        return verify_user_token(x_user_token, settings.user_token_secret, site.key, settings.widget.user_token_ttl_s)
    except TokenError as exc:
        raise ApiError(401, "invalid_user_token", f"The user token was rejected: {exc}.") from exc


User = Annotated[str | None, Depends(get_user)]


def own_session(ctx: WidgetContext, site: SiteConfig, user: str | None, session_id: str) -> SessionBinding:
    """The caller's session (same site, same user) after the per-session rate limit."""
    binding = ctx.sessions.get(session_id)
    if binding is None:
        raise ApiError(404, "unknown_session", "This session does not exist or has expired; start a new one.")
    same_user = binding.anonymous if user is None else binding.user_id == user
    if binding.site_key != site.key or not same_user:
        raise ApiError(403, "session_forbidden", "This session belongs to someone else.")
    _limit(ctx.session_limiter, session_id, "session")
    return binding
