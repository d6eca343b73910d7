"""POST /v1/admin/forget: delete a user everywhere, including this server's in-memory caches.

Authenticated with ``Authorization: Bearer <admin_token>`` (settings ``admin_token``; when it is not set the
endpoint answers 404 as if it did not exist). It runs ``Assistant.forget`` (database rows of every store,
cached sessions, the ranker profile) and drops the user's widget session bindings. ``shopbot forget USER
--server URL [--server-workers N]`` calls it after deleting the rows itself; with several workers each
process has its own caches, so the CLI repeats the call on new connections until N distinct workers answered
(``worker_pid``).
"""

from __future__ import annotations

import hmac
import os
from typing import Annotated

from fastapi import APIRouter, Header
from pydantic import BaseModel, Field

from ui.api.deps import AssistantDep, Context
from ui.api.errors import ApiError
from ui.api.schemas import ERROR_RESPONSES

router = APIRouter(responses=ERROR_RESPONSES)


class ForgetCreate(BaseModel):
    model_config = {"extra": "forbid"}

    user_id: str = Field(min_length=1, max_length=128)


class ForgetPublic(BaseModel):
    user_id: str
    interactions: int
    events: int
    tickets: int
    labels: int
    widget_sessions: int
    cached_sessions: int
    worker_pid: int


def _admin(ctx, authorization: str | None) -> None:
    token = ctx.settings.admin_token
    if not token:
        raise ApiError(404, "not_found", "There is no /v1/admin/forget endpoint.")
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        raise ApiError(401, "invalid_admin_token", "Send the admin token as 'Authorization: Bearer <token>'.")


@router.post("/v1/admin/forget", response_model=ForgetPublic)
def forget(ctx: Context, assistant: AssistantDep, body: ForgetCreate,
           authorization: Annotated[str | None, Header()] = None) -> ForgetPublic:
    _admin(ctx, authorization)
    user_id = body.user_id.strip()
    if not user_id:
        raise ApiError(422, "invalid_request", "user_id: must not be blank")
    report = assistant.forget(user_id)
    dropped = ctx.sessions.forget(user_id)
    return ForgetPublic(user_id=user_id, interactions=report.interactions, events=report.events,
                        tickets=report.tickets, labels=report.labels,
                        widget_sessions=max(report.widget_sessions, dropped),
                        cached_sessions=report.cached_sessions, worker_pid=os.getpid())
