"""The one-off conversion of old-format manifests (training/convert_manifests.py): an NLU model saved with
the hand-written LoRA layer names and the old manifest loads after conversion with identical outputs."""

import json

import torch
from safetensors.torch import save_file

from assistant.nlu.model import NluConfig, create_model, load_model
from training.convert_manifests import convert, peft_key

SENTENCES = ["black nike running shoes under 80 bucks", "where is my order #10023"]


def _old_key(key: str) -> str:
    return key.removesuffix(".default.weight")


def test_old_nlu_artifact_converts_and_gives_identical_outputs(tmp_path):
    torch.manual_seed(0)
    cfg = NluConfig(lora_layers=2)
    model, tok = create_model(cfg)
    with torch.no_grad():
        for p in model.parameters():  # non-trivial adapters (lora_B starts at zero)
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.02)
    model.eval()
    state = model.trainable_state()
    assert all(peft_key(_old_key(k)) == k for k in state)
    save_file({_old_key(k): v for k, v in state.items()}, str(tmp_path / "adapter_and_heads.safetensors"))
    from dataclasses import asdict
    (tmp_path / "manifest.json").write_text(json.dumps({
        "type": "shopbot-joint-nlu", "version": 1, "base_model": cfg.base_model,
        "weights": "adapter_and_heads.safetensors", "config": asdict(cfg), "label2id": {}, "id2label": {},
        "training": {"dev_intent_accuracy": 0.9, "dev_tag_f1": 0.8, "steps": 5}, "data": {"n_train": 10}}))
    assert convert(tmp_path) and not convert(tmp_path)  # the second run leaves the new format alone
    loaded, _, manifest = load_model(tmp_path, merge=False)
    assert manifest.metrics == {"dev_intent_accuracy": 0.9, "dev_tag_f1": 0.8}
    assert manifest.details["data"] == {"n_train": 10}
    merged, _, _ = load_model(tmp_path)
    b = tok(SENTENCES, padding=True, return_tensors="pt")
    with torch.no_grad():
        before, after, after_merged = (m(b["input_ids"], b["attention_mask"]) for m in (model, loaded, merged))
    for x, y, z in zip(before, after, after_merged):
        assert torch.equal(x, y) and torch.allclose(x, z, atol=1e-5)
