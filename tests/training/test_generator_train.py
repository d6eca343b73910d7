"""A tiny LoRA run round trip: train a few steps, save, load through the manifest, same greedy output."""

from __future__ import annotations

import copy
import json

import pytest

pytestmark = pytest.mark.slow


def test_tiny_training_round_trip(tmp_path):
    import torch

    from assistant.writer.base_model import load_base_model, load_tokenizer
    from assistant.writer.adapter import read_manifest
    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig
    from training.generator.data import build_cases
    from training.generator.train import TrainConfig, fit, make_peft_model, save_adapter

    tok, base = load_tokenizer(), load_base_model()
    pristine = copy.deepcopy(base)
    cfg = TrainConfig(n_cases=8, steps=2, batch_size=2, lr=5e-3, warmup=1, max_len=160, log_every=1, first_layer=26)
    cases = build_cases(8, seed=3, catalog_size=600)
    model = make_peft_model(base, cfg)
    report = fit(model, tok, cases, cfg)
    assert report.steps == 2 and len(report.loss_curve) == 2
    for name, p in model.named_parameters():  # what the fp16 adapter file will hold
        if "lora_" in name:
            p.data = p.data.half().float()
    out = save_adapter(model, cfg, report, tmp_path / "generator", training_data_hash="abc")
    manifest = read_manifest(out)
    assert manifest.config["steps"] == 2 and manifest.details["train"]["loss_curve"]
    assert manifest.name == "generator" and manifest.training_data_hash == "abc" and "train_loss_last" in manifest.metrics
    assert (out / "adapter_model.safetensors").stat().st_size < 2_000_000
    assert json.loads((out / "adapter_config.json").read_text())["r"] == cfg.rank

    facts = cases[0].facts
    before = EmbeddedGenerator(model.merge_and_unload().eval(), tok, GenerationConfig(max_new_tokens=8))
    loaded = EmbeddedGenerator.from_base(pristine, tok, out, GenerationConfig(max_new_tokens=8))
    with torch.inference_mode():
        assert loaded.generate(facts) == before.generate(facts)
