"""The packaged MiniLM run without sentence-transformers (retrieval/sentence_encoder.py): the same vectors
as sentence-transformers, only the layouts it can run are accepted, and the embedder no longer imports
sentence-transformers (the point: ~110 MB less resident, bench/memory.py)."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from retrieval.packaged import minilm_dir
from retrieval.sentence_encoder import Layout, read_layout
from tests.conftest import REPO

TEXTS = ["waterproof hiking boots for women", "  Stainless steel MUG  ", "", "Kindle Paperwhite – Now Waterproof",
         "a " * 400 + "very long text", "mug"]


def test_the_packaged_layout_is_read():
    assert read_layout(minilm_dir()) == Layout(max_seq_length=256, lower_case=False, pooling="mean", normalize=True)


def test_other_layouts_are_not_claimed(tmp_path):
    assert read_layout(tmp_path) is None  # no modules.json
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"}]))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_mean_tokens": True}))
    assert read_layout(tmp_path) is None  # a Dense layer after pooling: sentence-transformers runs it
    (tmp_path / "modules.json").write_text(json.dumps([
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"}]))
    assert read_layout(tmp_path) == Layout(512, False, "mean", False)
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps({"pooling_mode_max_tokens": True}))
    assert read_layout(tmp_path) is None


@pytest.mark.slow
def test_same_vectors_as_sentence_transformers():
    import torch
    from sentence_transformers import SentenceTransformer

    from retrieval.embeddings import Embedder

    st = SentenceTransformer(str(minilm_dir()), device="cpu", local_files_only=True)
    reference = st.encode(TEXTS, convert_to_numpy=True, normalize_embeddings=True)
    ours = Embedder(speed="fp32", batch_size=4)  # several batches, padded differently than one call
    assert np.allclose(ours.encode(TEXTS), reference, atol=1e-5)
    st_bf16 = st.to(torch.bfloat16)
    st_bf16.max_seq_length = 128
    reference_bf16 = torch.nn.functional.normalize(st_bf16.encode(TEXTS, convert_to_tensor=True).float(), dim=-1).numpy()
    cosine = np.sum(Embedder(speed="bf16").encode(TEXTS) * reference_bf16, axis=1)
    assert np.all(cosine > 0.9999), cosine  # pooled in float32 here, in bf16 there


@pytest.mark.slow
def test_the_embedder_does_not_import_sentence_transformers():
    code = ("import sys\nfrom retrieval.embeddings import Embedder\nv = Embedder().encode(['boots'])\n"
            "print(v.shape, 'sentence_transformers' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "(1, 384) False"
