"""Round trip of the joint NLU model: train tiny, save, load through the manifest, same predictions."""

import json

import pytest
import torch

from assistant.artifact import MANIFEST_FILE, ArtifactError
from assistant.nlu.model import NluConfig, create_model, load_model, read_manifest
from assistant.nlu.parser import NluParser
from training.nlu.data import generate
from training.nlu.train import TrainConfig, train

SENTENCES = ["black nike running shoes for women under 80 bucks", "where is my order #10023", "hi", "cancel order 55555"]


@pytest.fixture(scope="module")
def tiny_model(tmp_path_factory):
    out = tmp_path_factory.mktemp("nlu_tiny")
    examples = generate(300, seed=1)
    dev = generate(60, seed=1, split="dev")
    model, result = train(examples, dev, out, TrainConfig(max_steps=12, eval_every=6, batch_size=16, progress=False, threads=1))
    return out, model, result


def test_cached_lower_layers_match_full_forward():
    model, tok = create_model(NluConfig(lora_layers=2))
    model.eval()
    with torch.no_grad():
        for p in model.parameters():  # make the adapters non-trivial
            if p.requires_grad:
                p.add_(0.01)
        b = tok(SENTENCES, padding=True, return_tensors="pt")
        full = model(b["input_ids"], b["attention_mask"])
        cached = model.forward_upper(model.lower_states(b["input_ids"], b["attention_mask"]), b["attention_mask"])
    for a, c in zip(full, cached):
        m = b["attention_mask"].bool()
        assert torch.allclose(a if a.dim() == 2 else a[m], c if c.dim() == 2 else c[m], atol=1e-4)


def test_round_trip_same_predictions(tiny_model):
    out, model, result = tiny_model
    assert result.steps == 12
    manifest = read_manifest(out)
    assert manifest.config["intents"][0] == "greeting" and "B-BRAND" in manifest.config["tags"]
    assert manifest.metrics["dev_intent_accuracy"] == result.dev_intent_accuracy
    assert (out / manifest.files[0]).stat().st_size < 5_000_000
    tok = NluParser.load(out).tokenizer
    b = tok(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        before = model(b["input_ids"], b["attention_mask"])
    loaded, _, _ = load_model(out)  # adapters merged into the base weights
    with torch.no_grad():
        after = loaded(b["input_ids"], b["attention_mask"])
    assert torch.allclose(before[0], after[0], atol=1e-4)
    assert torch.equal(before[1].argmax(-1), after[1].argmax(-1))
    p1, p2 = NluParser.load(out), NluParser.load(out)
    assert p1.parse_batch(SENTENCES) == p2.parse_batch(SENTENCES) == [p1.parse(s) for s in SENTENCES]


def test_bad_manifest_is_a_clear_error(tmp_path, tiny_model):
    with pytest.raises(ArtifactError, match="missing manifest.json"):
        NluParser.load(tmp_path)
    (tmp_path / MANIFEST_FILE).write_text(json.dumps({"type": "other", "version": 1}))
    with pytest.raises(ArtifactError, match="not a shopbot-artifact manifest"):
        NluParser.load(tmp_path)
    out = tiny_model[0]
    foreign = json.loads((out / MANIFEST_FILE).read_text()) | {"name": "sequential"}
    (tmp_path / MANIFEST_FILE).write_text(json.dumps(foreign))
    with pytest.raises(ArtifactError, match="expected a 'nlu' artifact"):
        NluParser.load(tmp_path)
