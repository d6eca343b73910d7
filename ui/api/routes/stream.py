"""POST /v1/chat/stream: server-sent events ``token`` (JSON string) ..., ``turn`` (Turn JSON), ``done``."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator

from fastapi import APIRouter
from fastapi.responses import StreamingResponse

from assistant.records import Turn
from ui.api.deps import AssistantDep, Context, Site, User, own_session
from ui.api.errors import error_body
from ui.api.routes.chat import checked_text
from ui.api.schemas import ERROR_RESPONSES, ChatCreate, turn_public

router = APIRouter(responses=ERROR_RESPONSES)
log = logging.getLogger(__name__)


def sse(event: str, data: str) -> str:
    return f"event: {event}\ndata: {data}\n\n"


def _events(parts: Iterator[str | Turn]) -> Iterator[str]:
    try:
        for part in parts:
            if isinstance(part, Turn):
                yield sse("turn", turn_public(part).model_dump_json())
            else:
                yield sse("token", json.dumps(part))
    except Exception:  # the status line is already sent: report in-band
        log.exception("stream failed")
        yield sse("error", json.dumps(error_body("internal_error", "The reply failed; please try again.")))
    yield sse("done", "{}")


@router.post("/v1/chat/stream", response_class=StreamingResponse,
             responses={200: {"content": {"text/event-stream": {}}, "description": "token*, turn, done"}})
def chat_stream(ctx: Context, assistant: AssistantDep, site: Site, user: User, body: ChatCreate) -> StreamingResponse:
    text = checked_text(ctx, body.text)
    binding = own_session(ctx, site, user, body.session_id)
    parts = assistant.stream(binding.session_id, binding.user_id, text)
    headers = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}
    return StreamingResponse(_events(parts), media_type="text/event-stream", headers=headers)
