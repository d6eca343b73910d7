"""The same index code against a real Chroma server (`chroma run`) on loopback."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from retrieval.chroma_client import ChromaConnectionError, open_client
from retrieval.index import ProductIndex
from retrieval.records import SearchFilters
from tests.retrieval.memo_embedder import MemoEmbedder

pytestmark = pytest.mark.server


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _chroma_binary() -> str:
    candidate = Path(sys.executable).parent / "chroma"
    found = str(candidate) if candidate.exists() else shutil.which("chroma")
    if not found:
        pytest.skip("the `chroma` command is not installed in this environment")
    return found


@pytest.fixture
def chroma_server(tmp_path):
    port = _free_port()
    log = open(tmp_path / "chroma.log", "wb")
    proc = subprocess.Popen(
        [_chroma_binary(), "run", "--path", str(tmp_path / "server-data"), "--host", "127.0.0.1", "--port", str(port)],
        stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                open_client(url=url)
                break
            except ChromaConnectionError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"chroma server did not start: {(tmp_path / 'chroma.log').read_text()[-2000:]}")
                time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def test_same_search_through_a_chroma_server(chroma_server, tmp_path, embedder, product_index, catalog):
    embedder = MemoEmbedder.from_index(embedder, product_index)
    products = catalog[:60]
    remote = ProductIndex(open_client(url=chroma_server), embedder, collection="products")
    local = ProductIndex(open_client(tmp_path / "embedded"), embedder, collection="products")
    assert remote.upsert(products).added == 60
    local.upsert(products)
    assert remote.upsert(products).unchanged == 60  # incremental over HTTP too

    filters = SearchFilters(max_price=150.0, colors=("black", "blue"))
    for query, f in [("waterproof hiking boots", None), ("warm jacket", filters), ("", filters)]:
        got = remote.search(query, f, k=10)
        assert [h.product.id for h in got] == [h.product.id for h in local.search(query, f, k=10)]
        assert f is None or all(f.matches(h.product) for h in got)
    assert remote.get([products[5].id]) == [products[5]]


def test_unreachable_server_is_a_clear_error():
    with pytest.raises(ChromaConnectionError, match="cannot reach the Chroma server"):
        open_client(url=f"http://127.0.0.1:{_free_port()}")
    with pytest.raises(ChromaConnectionError, match="bad Chroma URL"):
        open_client(url="localhost:8000")
