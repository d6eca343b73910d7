"""GET /v1/health: open to load balancers (no site key, no rate limit) and answering ``{"status": "ok"}`` only;
with a valid site key it adds the version and the number of live sessions."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

from fastapi import APIRouter, Header, Request

from ui.api.deps import Context, find_site
from ui.api.errors import ApiError
from ui.api.schemas import ERROR_RESPONSES, HealthPublic

router = APIRouter(responses=ERROR_RESPONSES)


def _version() -> str:
    try:
        return version("shopbot")
    except PackageNotFoundError:
        return "dev"


@router.get("/v1/health", response_model=HealthPublic, response_model_exclude_none=True)
def health(ctx: Context, x_site_key: Annotated[str | None, Header()] = None) -> HealthPublic:
    if find_site(ctx, x_site_key) is None:
        return HealthPublic()
    return HealthPublic(version=_version(), sessions=len(ctx.sessions))


@router.api_route("/v1/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE"], include_in_schema=False)
def not_found(rest: str, request: Request) -> None:
    path = request.url.path
    methods = sorted(m.upper() for m in request.app.openapi().get("paths", {}).get(path, {}))  # schema is cached
    if methods:
        raise ApiError(405, "method_not_allowed", f"{path} accepts {', '.join(methods)}.", {"Allow": ", ".join(methods)})
    raise ApiError(404, "not_found", f"There is no /v1/{rest} endpoint.")
