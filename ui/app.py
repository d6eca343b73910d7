"""The one server: the widget API (/v1, docs at /docs), the widget's static files (/static), the demo shop
page (/demo) and the Gradio chat UI at / ; built from a Settings and an AssistantAPI."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from assistant.protocol import AssistantAPI
from assistant.settings import Settings
from ui.api import install_widget_api

STATIC_DIR = Path(__file__).resolve().parent / "static"


def build_app(settings: Settings, assistant: AssistantAPI, *, gradio: bool = True) -> FastAPI:
    app = FastAPI(title="shopbot widget API", version="1",
                  description="Chat-widget API: every /v1 call needs an X-Site-Key header; "
                              "an optional X-User-Token (HMAC-signed) names the signed-in customer.")
    install_widget_api(app, settings, assistant)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")

    @app.get("/demo", include_in_schema=False)
    def demo() -> FileResponse:
        return FileResponse(STATIC_DIR / "demo.html", media_type="text/html")

    if gradio:
        import gradio as gr

        from ui.gradio_ui import CSS, build_blocks, local_theme

        from assistant.analytics.page import analytics_page
        from assistant.db import make_engine
        from ui.review_ui import ReviewDesk

        desk = ReviewDesk(make_engine(settings.db_url), settings.nlu_confidence_threshold)
        blocks = build_blocks(assistant, analytics=lambda since: analytics_page(settings, since), review=desk)
        blocks.queue(default_concurrency_limit=4)
        app = gr.mount_gradio_app(app, blocks, path="/", css=CSS, theme=local_theme(), ssr_mode=False,
                                  mcp_server=False, footer_links=[])
    return app
