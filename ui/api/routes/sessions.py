"""POST /v1/sessions: start a chat session bound to this site and this (signed-in or anonymous) user."""

from __future__ import annotations

from fastapi import APIRouter, Body

from assistant.users import UserRef
from ui.api.deps import AssistantDep, Context, Site, User
from ui.api.schemas import ERROR_RESPONSES, SessionCreate, SessionPublic
from ui.api.sessions import SessionBinding

router = APIRouter(responses=ERROR_RESPONSES)


@router.post("/v1/sessions", response_model=SessionPublic, status_code=201)
def create_session(ctx: Context, assistant: AssistantDep, site: Site, user: User,
                   body: SessionCreate | None = Body(default=None)) -> SessionPublic:
    user_id = user or UserRef.visitor().id
    session_id = assistant.new_session(user_id)
    ctx.sessions.add(SessionBinding(session_id=session_id, site_key=site.key, user_id=user_id))
    return SessionPublic(session_id=session_id, signed_in=user is not None)
