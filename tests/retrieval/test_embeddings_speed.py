"""Embedder speed modes (retrieval/embeddings.py): the fast path gives the reference's vectors up to bf16
precision on texts within its token cap, and every mode is selectable and checked."""

from __future__ import annotations

import numpy as np
import pytest

from retrieval.embeddings import FAST_MAX_TOKENS, INDEX_SPEEDS, Embedder, EmbeddingError, resolve_index_speed

TEXTS = ["waterproof hiking boots for women", "stainless steel insulated coffee mug, keeps drinks hot for 12 hours",
         "", "Kindle Paperwhite – Now Waterproof with 2x the Storage", "a " * 400 + "very long text"]


def test_auto_resolves_by_cpu_and_unknown_modes_are_refused(monkeypatch):
    import retrieval.embeddings as emb

    monkeypatch.setattr(emb, "cpu_has_native_bf16", lambda: True)
    assert resolve_index_speed("auto") == "bf16"
    monkeypatch.setattr(emb, "cpu_has_native_bf16", lambda: False)
    assert resolve_index_speed("auto") == "fp32-capped"
    assert all(resolve_index_speed(s) == s for s in INDEX_SPEEDS if s != "auto")
    with pytest.raises(EmbeddingError, match="unknown index speed 'fast'"):
        resolve_index_speed("fast")


@pytest.mark.slow
def test_fast_modes_match_the_fp32_reference(embedder):
    reference = Embedder(speed="fp32")
    assert reference.max_tokens == 256 and reference.speed == "fp32"
    fast = {name: Embedder(speed=name) for name in ("bf16", "fp32-capped")}
    ref = reference.encode(TEXTS)
    assert np.allclose(np.linalg.norm(ref, axis=1), 1.0, atol=1e-5)
    for name, emb in fast.items():
        assert emb.max_tokens == FAST_MAX_TOKENS and emb.speed == name
        vecs = emb.encode(TEXTS)
        assert vecs.dtype == np.float32 and vecs.shape == (len(TEXTS), reference.dim)
        assert np.allclose(np.linalg.norm(vecs, axis=1), 1.0, atol=1e-5)  # normalised in float32
        cosine = np.sum(vecs * ref, axis=1)
        assert np.all(cosine[:4] > 0.995), (name, cosine)  # within the cap: the same vector up to precision
        assert cosine[4] > 0.8  # beyond the cap the tail is cut: close, not equal
    capped = Embedder(speed="fp32", max_tokens=32)
    assert capped.max_tokens == 32 and not np.allclose(capped.encode(TEXTS[4:]), ref[4:], atol=1e-3)
    # the session embedder (default "auto") ranks like the reference
    q = embedder.encode(["boots for hiking in the rain"])[0]
    assert np.argmax(embedder.encode(TEXTS) @ q) == np.argmax(ref @ reference.encode(["boots for hiking in the rain"])[0])
