"""POST /v1/feedback: like / dislike / click / add to cart on a shown product."""

from __future__ import annotations

from fastapi import APIRouter

from assistant.assistant import AssistantError
from ui.api.deps import AssistantDep, Context, Site, User, own_session
from ui.api.errors import ApiError
from ui.api.schemas import ERROR_RESPONSES, FeedbackCreate, FeedbackPublic

router = APIRouter(responses=ERROR_RESPONSES)


@router.post("/v1/feedback", response_model=FeedbackPublic)
def feedback(ctx: Context, assistant: AssistantDep, site: Site, user: User, body: FeedbackCreate) -> FeedbackPublic:
    binding = own_session(ctx, site, user, body.session_id)
    try:
        assistant.feedback(binding.session_id, binding.user_id, body.product_id, body.kind)
    except AssistantError as exc:  # not shown in this session (product_not_shown), unknown kind or product
        raise ApiError(422, exc.code, str(exc)) from exc
    return FeedbackPublic()
