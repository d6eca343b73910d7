"""Pure-ASGI edge of the widget API (paths under /v1): per-site CORS allow-list and the request size limit.

CORS: a preflight is answered here (allowed when the Origin belongs to any configured site; the per-site check
happens with the site key in ``deps.get_site``); an allowed Origin is reflected on every response, errors too.
"""

from __future__ import annotations

import json

from ui.api.errors import error_body

ALLOW_HEADERS = "Content-Type, X-Site-Key, X-User-Token"
ALLOW_METHODS = "GET, POST, OPTIONS"


def _header(scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key == name:
            return value.decode("latin-1")
    return None


async def _send_json(send, status: int, body: dict, headers: list[tuple[bytes, bytes]]) -> None:
    payload = json.dumps(body).encode()
    base = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": base + headers})
    await send({"type": "http.response.body", "body": payload})


class WidgetEdgeMiddleware:
    def __init__(self, app, *, origins: set[str], max_body_bytes: int, prefix: str = "/v1"):
        self.app = app
        self.origins = origins
        self.max_body = max_body_bytes
        self.prefix = prefix

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or not scope["path"].startswith(self.prefix):
            return await self.app(scope, receive, send)
        origin = _header(scope, b"origin")
        allowed = origin is not None and origin.rstrip("/") in self.origins
        cors = [(b"access-control-allow-origin", origin.encode()), (b"access-control-expose-headers", b"Retry-After")] if allowed else []
        cors.append((b"vary", b"Origin"))
        if scope["method"] == "OPTIONS" and _header(scope, b"access-control-request-method"):
            return await self._preflight(send, allowed, cors)
        too_big = _send_too_big(send, cors, self.max_body)
        length = _header(scope, b"content-length")
        if length is not None and length.isdigit() and int(length) > self.max_body:
            return await too_big()
        body, ok = await _read_body(receive, self.max_body)
        if not ok:
            return await too_big()
        await self.app(scope, _replay(body, receive), _with_headers(send, cors))

    async def _preflight(self, send, allowed: bool, cors) -> None:
        if not allowed:
            return await _send_json(send, 403, error_body("origin_not_allowed", "This origin is not allowed."), cors)
        extra = [(b"access-control-allow-methods", ALLOW_METHODS.encode()),
                 (b"access-control-allow-headers", ALLOW_HEADERS.encode()), (b"access-control-max-age", b"600")]
        await send({"type": "http.response.start", "status": 204, "headers": cors + extra})
        await send({"type": "http.response.body", "body": b""})


def _send_too_big(send, cors, limit: int):
    async def respond():
        await _send_json(send, 413, error_body("payload_too_large", f"Request bodies are limited to {limit} bytes."), cors)
    return respond


async def _read_body(receive, limit: int) -> tuple[bytes, bool]:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"".join(chunks), True
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return b"", False
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True


def _replay(body: bytes, receive):
    sent = False

    async def replay():
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()
    return replay


def _with_headers(send, extra):
    async def wrapped(message):
        if message["type"] == "http.response.start":
            names = {k.lower() for k, _ in message.get("headers", [])}
            message = dict(message, headers=list(message.get("headers", [])) + [h for h in extra if h[0] not in names])
        await send(message)
    return wrapped
