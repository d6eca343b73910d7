"""POST /v1/chat: one turn in, the whole Turn out."""

from __future__ import annotations

from fastapi import APIRouter

from ui.api.deps import AssistantDep, Context, Site, User, own_session
from ui.api.errors import ApiError
from ui.api.schemas import ERROR_RESPONSES, ChatCreate, TurnPublic, turn_public

router = APIRouter(responses=ERROR_RESPONSES)


def checked_text(ctx, text: str) -> str:
    text = text.strip()
    limit = ctx.settings.widget.max_text_chars
    if not text:
        raise ApiError(422, "empty_message", "The message is empty.")
    if len(text) > limit:
        raise ApiError(422, "message_too_long", f"Messages are limited to {limit} characters.")
    return text


@router.post("/v1/chat", response_model=TurnPublic)
def chat(ctx: Context, assistant: AssistantDep, site: Site, user: User, body: ChatCreate) -> TurnPublic:
    text = checked_text(ctx, body.text)
    binding = own_session(ctx, site, user, body.session_id)
    turn = assistant.handle(binding.session_id, binding.user_id, text)
    return turn_public(turn)
