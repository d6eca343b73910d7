"""The real embedded writer: SmolLM2-135M + the shipped LoRA adapter (slow tier, loaded once per module)."""

from __future__ import annotations

import pytest

from assistant.records import Action, OrderFact, ReplyFacts
from assistant.settings import ARTIFACTS_DIR
from assistant.writer.guard import Guard
from assistant.writer.writer import ReplyWriter, WrittenReply
from retrieval.product import Product

pytestmark = pytest.mark.slow
ADAPTER = ARTIFACTS_DIR / "generator"
SHOE = Product(id="P1", title="Stridewell TrailRunner 3 Running Shoes", description="d", category="footwear",
               product_type="running shoes", brand="Stridewell", price=79.99, features=("waterproof",))
BOOT = Product(id="P2", title="Peakline SummitEdge Hiking Boots", description="d", category="footwear",
               product_type="hiking boots", brand="Peakline", price=129.0)
ORDER = OrderFact(order_id="10023", status="shipped", placed_at="2026-11-01", total=84.5, carrier="UPS", eta="2026-11-25")
FACTS = (
    ReplyFacts("search_products", Action.SEARCH, "waterproof running shoes", products=(SHOE, BOOT),
               notes=("Here are 2 running shoes.",)),
    ReplyFacts("order_status", Action.ORDER_LOOKUP, "where is my order 10023?", orders=(ORDER,),
               notes=("Order 10023 has shipped with UPS (tracking 1Z999) and should arrive by 2026-11-25.",)),
    ReplyFacts("human_agent", Action.HANDOFF, "i want a human", notes=(
        "I've created ticket T-4F2A91 and passed our conversation to a human agent; they'll get back to you shortly.",)),
)


@pytest.fixture(scope="module")
def writer():
    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig

    gen = EmbeddedGenerator.load(ADAPTER, GenerationConfig(max_new_tokens=60))
    return ReplyWriter(gen, Guard(known_titles=(SHOE.title, BOOT.title), known_brands=("Stridewell", "Peakline", "Nike")))


def test_shipped_adapter_has_a_manifest():
    from assistant.writer.adapter import read_manifest

    manifest = read_manifest(ADAPTER)
    assert manifest.details["train"]["steps"] > 0 and manifest.details["train"]["loss_curve"]
    assert manifest.files == ("adapter_model.safetensors", "adapter_config.json")
    assert (ADAPTER / "adapter_model.safetensors").stat().st_size < 15_000_000


def test_replies_pass_the_guard(writer):
    outs = [writer.write(f) for f in FACTS]
    for facts, out in zip(FACTS, outs):
        assert out.text and writer.guard.check(out.text, facts).passed, (out, facts.action)
    assert any(not o.fallback for o in outs), [o.text for o in outs]  # the model writes some replies itself


def test_stream_yields_tokens_then_the_final_reply(writer):
    items = list(writer.stream(FACTS[1]))
    pieces, final = items[:-1], items[-1]
    assert isinstance(final, WrittenReply)
    assert len(pieces) >= 2 and all(isinstance(p, str) for p in pieces)
    if not final.fallback and final.attempts == 1:
        assert "".join(pieces).strip() == final.text
    assert "10023" in final.text


# --- cached merged weights (weights_cache.py) and the reused prompt prefix ------------------------------------
def _prompt_ids(gen, facts):
    import torch

    from assistant.writer.base_model import prompt_text

    return torch.tensor([gen.tok(prompt_text(gen.tok, facts), add_special_tokens=False)["input_ids"]])


@pytest.fixture(scope="module")
def cached_fp32(writer, tmp_path_factory):
    """The fixture's GGUF-merged model saved as the build step saves it, then loaded back from disk."""
    from assistant.writer.weights_cache import cache_dir, fingerprint, load_merged, save_merged

    models = tmp_path_factory.mktemp("models")
    path = cache_dir(models, "fp32")
    save_merged(writer.backend.model, writer.backend.tok, path, fingerprint(ADAPTER, "fp32"))
    return models, path, load_merged(path, "fp32")


def test_cached_weights_give_the_gguf_paths_logits(writer, cached_fp32):
    import torch

    _, _, (model, tok) = cached_fp32
    gen = writer.backend
    for facts in FACTS:
        ids = _prompt_ids(gen, facts)
        assert ids.equal(_prompt_ids(type(gen)(model, tok), facts))  # same tokenizer and chat template
        with torch.inference_mode():
            assert torch.allclose(gen.model(ids).logits, model(ids).logits, atol=1e-4)


def test_load_uses_a_fresh_cache_and_ignores_a_stale_one(cached_fp32, tmp_path):
    import json
    import shutil

    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig
    from assistant.writer.weights_cache import STAMP, is_fresh

    models, path, _ = cached_fp32
    assert is_fresh(path, ADAPTER, "fp32") and not is_fresh(path, ADAPTER, "bf16")
    gen = EmbeddedGenerator.load(ADAPTER, GenerationConfig(speed="fp32"), models_dir=models)
    assert gen.manifest.name == "generator" and gen.model.dtype.is_floating_point
    stale = tmp_path / "models" / path.name
    shutil.copytree(path, stale)
    stamp = json.loads((stale / STAMP).read_text())
    stamp["adapter"]["adapter_model.safetensors"] = "0" * 64  # another adapter was trained since
    (stale / STAMP).write_text(json.dumps(stamp))
    assert not is_fresh(stale, ADAPTER, "fp32")


def test_reused_prompt_prefix_gives_the_same_logits_and_reply(writer):
    import torch

    from assistant.writer.embedded import EmbeddedGenerator, GenerationConfig

    with_prefix = writer.backend
    plain = EmbeddedGenerator(with_prefix.model, with_prefix.tok, GenerationConfig(max_new_tokens=60, reuse_prefix=False))
    facts = FACTS[0]
    with with_prefix._lock, torch.inference_mode():
        inputs = with_prefix._inputs(facts)
        cache = inputs["past_key_values"]  # the system message is cached, the facts block is not
        cached = cache.get_seq_length()
        assert 0 < cached < inputs["input_ids"].shape[1]
        tail = with_prefix.model(input_ids=inputs["input_ids"][:, cached:], past_key_values=cache).logits[0, -1]
        full = with_prefix.model(input_ids=inputs["input_ids"]).logits[0, -1]
    assert torch.allclose(tail, full, atol=1e-3)
    assert with_prefix.generate(facts) == plain.generate(facts)


def test_bf16_weights_keep_the_fp32_predictions(writer):
    import copy

    import torch

    gen = writer.backend
    bf16 = copy.deepcopy(gen.model).to(torch.bfloat16)
    with torch.inference_mode():
        for facts in FACTS:
            ids = _prompt_ids(gen, facts)
            agree = (gen.model(ids).logits.argmax(-1) == bf16(ids).logits.argmax(-1)).float().mean().item()
            assert agree >= 0.9, agree
