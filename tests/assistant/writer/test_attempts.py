"""The writer's attempts (assistant/writer/writer.py): the last of 3+ writes about the top product alone."""

from __future__ import annotations

from assistant.records import ReplyFacts
from assistant.writer.writer import ReplyWriter
from tests.assistant.writer.test_repair import GIFTS, GUARD

CHIMERA = "Your dad might like the Sonique OrbitFit camping stove ($24.99)."  # the top's name, the other's type


class Recording:
    """Writes the chimera whenever the prompt holds two products; records what it was asked."""

    def __init__(self):
        self.calls: list[tuple[int, int]] = []  # (attempt, products in the prompt)

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        self.calls.append((attempt, len(facts.products)))
        top = facts.products[0]
        return CHIMERA if len(facts.products) > 1 else f"Your dad might like the {top.title} (${top.price:.2f})."

    def stream(self, facts: ReplyFacts, attempt: int = 0):
        yield self.generate(facts, attempt)


def test_the_last_of_three_attempts_sees_only_the_top_product_and_decodes_greedily():
    backend = Recording()
    written = ReplyWriter(backend, GUARD, max_attempts=3).write(GIFTS)
    assert backend.calls == [(0, 2), (1, 2), (0, 1)]
    assert written.text == "Your dad might like the Sonique OrbitFit USB-C Phone Charger ($24.99)."
    assert not written.fallback and written.attempts == 3


def test_two_attempts_keep_every_product_and_the_streamed_path_focuses_too():
    backend = Recording()
    assert ReplyWriter(backend, GUARD, max_attempts=2).write(GIFTS).fallback
    assert backend.calls == [(0, 2), (1, 2)]
    streamed = Recording()
    *_, final = ReplyWriter(streamed, GUARD, max_attempts=3).stream(GIFTS)
    assert streamed.calls == [(0, 2), (1, 2), (0, 1)] and not final.fallback
