"""Open a Chroma client: embedded (on-disk) by default, or a Chroma server by URL."""

from __future__ import annotations

import logging
from pathlib import Path
from urllib.parse import urlparse

log = logging.getLogger(__name__)


class ChromaConnectionError(RuntimeError):
    """The Chroma store could not be opened or reached."""


def open_client(path: Path | None = None, url: str | None = None):
    """``PersistentClient(path)`` or ``HttpClient`` for ``url`` (e.g. http://127.0.0.1:8000); telemetry off."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if url:
        parsed = urlparse(url)
        if parsed.scheme not in ("http", "https") or not parsed.hostname:
            raise ChromaConnectionError(f"bad Chroma URL {url!r}; expected e.g. http://127.0.0.1:8000")
        port = parsed.port or (443 if parsed.scheme == "https" else 8000)
        try:
            client = chromadb.HttpClient(
                host=parsed.hostname, port=port, ssl=parsed.scheme == "https", settings=chroma_settings
            )
            client.heartbeat()
        except Exception as exc:  # connection refused, DNS, TLS...
            raise ChromaConnectionError(f"cannot reach the Chroma server at {url}: {exc}") from exc
        log.debug("connected to Chroma server %s", url)
        return client
    if path is None:
        raise ChromaConnectionError("open_client needs a path (embedded store) or a url (Chroma server)")
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    log.debug("opening embedded Chroma at %s", path)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)
