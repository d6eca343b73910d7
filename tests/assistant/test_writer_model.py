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
    from assistant.writer.embedded import read_manifest

    manifest = read_manifest(ADAPTER)
    assert manifest["train"]["steps"] > 0 and manifest["train"]["loss_curve"]
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
