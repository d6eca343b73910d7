"""FastAPI dependencies (``Annotated``): context, per-IP limits, site key + origin, the optional user token,
and the caller's own session."""

from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Header, Request

from assistant.protocol import AssistantAPI
from assistant.settings import Settings, SiteConfig
from ui.api.context import WidgetContext
from ui.api.errors import ApiError
from ui.api.sessions import SessionBinding
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


def ip_limit(request: Request, ctx: Context) -> str:
    ip = request.client.host if request.client else "unknown"
    _limit(ctx.ip_limiter, ip, "address")
    return ip


def get_site(ctx: Context, _ip: Annotated[str, Depends(ip_limit)], origin: Annotated[str | None, Header()] = None,
             x_site_key: Annotated[str | None, Header()] = None) -> SiteConfig:
    if not x_site_key:
        raise ApiError(401, "missing_site_key", "Send the site key in the X-Site-Key header.")
    site = next((s for s in ctx.settings.sites if hmac.compare_digest(s.key.encode(), x_site_key.encode())), None)
    if site is None:
        raise ApiError(401, "invalid_site_key", "The site key is not known.")
    if origin is not None and origin.rstrip("/") not in {o.rstrip("/") for o in site.origins}:
        raise ApiError(403, "origin_not_allowed", "This origin may not use this site key.")
    return site


Site = Annotated[SiteConfig, Depends(get_site)]


def get_user(settings: SettingsDep, x_user_token: Annotated[str | None, Header()] = None) -> str | None:
    """The signed-in customer named by X-User-Token, or None for an anonymous visitor."""
    if not x_user_token:
        return None
    try:
        return verify_user_token(x_user_token, settings.user_token_secret)
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
