"""GET /v1/health (the site key is required here too: every /v1 call is checked)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from fastapi import APIRouter, Request

from ui.api.deps import Context, Site
from ui.api.errors import ApiError
from ui.api.schemas import ERROR_RESPONSES, HealthPublic

router = APIRouter(responses=ERROR_RESPONSES)


def _version() -> str:
    try:
        return version("shopbot")
    except PackageNotFoundError:
        return "dev"


@router.get("/v1/health", response_model=HealthPublic)
def health(ctx: Context, _site: Site) -> HealthPublic:
    return HealthPublic(version=_version(), sessions=len(ctx.sessions))


@router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def not_found(rest: str, request: Request) -> None:
    path = request.url.path
    methods = sorted(m.upper() for m in request.app.openapi().get("paths", {}).get(path, {}))  # schema is cached
    if methods:
        raise ApiError(405, "method_not_allowed", f"{path} accepts {', '.join(methods)}.", {"Allow": ", ".join(methods)})
    raise ApiError(404, "not_found", f"There is no /v1/{rest} endpoint.")
