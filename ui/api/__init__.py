"""The embeddable chat-widget HTTP API (FastAPI): sessions, chat, streamed chat, feedback, health."""

from __future__ import annotations

from fastapi import FastAPI

from assistant.protocol import AssistantAPI
from assistant.settings import Settings
from ui.api.context import WidgetContext
from ui.api.edge import WidgetEdgeMiddleware
from ui.api.errors import install_error_handlers
from ui.api.routes import admin, chat, feedback, health, sessions, stream


def install_widget_api(app: FastAPI, settings: Settings, assistant: AssistantAPI, *, registry=None) -> WidgetContext:
    """Add the /v1 routes, error handlers and edge middleware to ``app``; returns the shared context.
    ``registry``: the session registry (default: in memory; several workers share ``SqlSessionRegistry``)."""
    ctx = WidgetContext(settings=settings, assistant=assistant, sessions=registry)
    app.state.widget = ctx
    install_error_handlers(app)
    for module in (sessions, chat, stream, feedback, admin, health):  # health last: it holds the /v1 catch-all
        app.include_router(module.router, tags=["widget"])
    app.add_middleware(WidgetEdgeMiddleware, origins=ctx.allowed_origins(), max_body_bytes=settings.widget.max_body_bytes)
    return ctx
