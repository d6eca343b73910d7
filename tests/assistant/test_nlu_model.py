"""The shipped NLU model through peft's LoRA layers (assistant/nlu/model.py): the parses recorded with
the hand-written LoRA layer before the switch (fp32, 2026-12-02) come out unchanged, merged or not."""

import pytest
import torch

from assistant.nlu.model import load_model
from assistant.nlu.parser import NluParser
from assistant.settings import ARTIFACTS_DIR

pytestmark = pytest.mark.slow

BEFORE = [
    ("black nike running shoes for women under 80 bucks", "search_products", 0.9999,
     (("COLOR", "black"), ("BRAND", "nike"), ("PRODUCT_TYPE", "running shoes"), ("AUDIENCE", "women"), ("PRICE_MAX", "80"))),
    ("where is my order #10023", "order_status", 1.0, (("ORDER_ID", "10023"),)),
    ("hi", "greeting", 1.0, ()),
    ("cancel order 55555", "cancel_order", 1.0, (("ORDER_ID", "55555"),)),
    ("I want a red cotton t-shirt size M from Adidas", "search_products", 0.9999,
     (("COLOR", "red"), ("MATERIAL", "cotton"), ("PRODUCT_TYPE", "t-shirt"), ("SIZE", "m"), ("BRAND", "adidas"))),
    ("show me laptops between $500 and $1,200", "search_products", 0.9975,
     (("PRODUCT_TYPE", "laptops"), ("PRICE_MIN", "500"), ("PRICE_MAX", "1200"))),
]


def test_shipped_model_gives_the_recorded_parses():
    parser = NluParser.load(ARTIFACTS_DIR / "nlu", speed="fp32")
    got = [(p.text, p.intent, p.confidence, tuple((e.type, e.value) for e in p.entities))
           for p in parser.parse_batch([b[0] for b in BEFORE])]
    assert got == BEFORE


def test_merged_and_unmerged_adapters_agree():
    merged, tok, manifest = load_model(ARTIFACTS_DIR / "nlu")
    adapters, _, _ = load_model(ARTIFACTS_DIR / "nlu", merge=False)
    assert any("lora_A" in k for k, _ in adapters.named_parameters())
    assert not any("lora_A" in k for k, _ in merged.named_parameters())
    b = tok([x[0] for x in BEFORE], padding=True, return_tensors="pt")
    with torch.no_grad():
        for x, y in zip(merged(b["input_ids"], b["attention_mask"]), adapters(b["input_ids"], b["attention_mask"])):
            assert torch.allclose(x, y, atol=1e-4)
    assert manifest.name == "nlu" and manifest.metrics["dev_intent_accuracy"] > 0.9
