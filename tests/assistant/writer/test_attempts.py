"""The writer's attempts (assistant/writer/writer.py): the last of 3+ writes about the top product alone."""

from __future__ import annotations

from assistant.records import Action, ReplyFacts
from assistant.writer.guard import Guard
from assistant.writer.writer import ReplyWriter
from retrieval.product import Product

NAPKINS = Product(id="N1", title="American Greetings Angry Birds Lunch Napkins, 16-Count", description="",
                  category="Party", product_type="napkins", brand="American Greetings", price=9.99,
                  display_name="American Greetings Angry Birds Lunch napkins")
HOLDER = Product(id="N2", title="Bird - Cute and Decorative Napkin Holder", description="", category="Home",
                 product_type="napkin holders", brand="Bird", price=None,
                 display_name="Bird Cute and Decorative napkin holder")
FACTS = ReplyFacts("search_products", Action.SEARCH, "yellow bird napkins", products=(NAPKINS, HOLDER),
                   notes=('These are the 2 closest matches I found for "yellow bird napkins".',))
GLUED = "Try the American Greetings Angry Birds Lunch napkin holder ($9.99)."


class Recording:
    """Writes the glued chimera whenever the prompt holds two products; records what it was asked."""

    def __init__(self):
        self.calls: list[tuple[int, int]] = []  # (attempt, products in the prompt)

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        self.calls.append((attempt, len(facts.products)))
        return GLUED if len(facts.products) > 1 else f"Try the {facts.products[0].name} ($9.99)."

    def stream(self, facts: ReplyFacts, attempt: int = 0):
        yield self.generate(facts, attempt)


def _guard() -> Guard:
    return Guard.for_catalog([NAPKINS, HOLDER])


def test_the_last_of_three_attempts_sees_only_the_top_product_and_decodes_greedily():
    backend = Recording()
    written = ReplyWriter(backend, _guard(), max_attempts=3).write(FACTS)
    assert backend.calls == [(0, 2), (1, 2), (0, 1)]
    assert written.text == "Try the American Greetings Angry Birds Lunch napkins ($9.99)." and not written.fallback
    assert written.attempts == 3


def test_two_attempts_keep_every_product_and_the_streamed_path_focuses_too():
    backend = Recording()
    assert ReplyWriter(backend, _guard(), max_attempts=2).write(FACTS).fallback
    assert backend.calls == [(0, 2), (1, 2)]
    streamed = Recording()
    *_, final = ReplyWriter(streamed, _guard(), max_attempts=3).stream(FACTS)
    assert streamed.calls == [(0, 2), (1, 2), (0, 1)] and not final.fallback
