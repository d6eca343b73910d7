"""ReplyWriter: listed options are rendered from the facts (never paraphrased), and repairs are guarded."""

from __future__ import annotations

from assistant.records import Action, ReplyFacts
from assistant.writer.guard import Guard
from assistant.writer.writer import ReplyWriter, WrittenReply, split_verbatim
from retrieval.product import Product

CHARGER = Product(id="C1", title="Sonique OrbitFit USB-C Phone Charger", description="", category="electronics",
                  product_type="phone chargers", brand="Sonique", price=24.99)
STOVE = Product(id="S1", title="Emberline TrailFlame Camping Stove", description="", category="outdoors",
                product_type="camping stoves", brand="Emberline", price=49.0)
WHICH = ReplyFacts("add_to_cart", Action.CLARIFY, "add that one",
                   notes=(f"Which one do you mean? 1. {CHARGER.title}; 2. {STOVE.title}",))
SEARCH = ReplyFacts("search_products", Action.SEARCH, "gift for dad", products=(CHARGER, STOVE),
                    notes=("Here are 2 gift ideas.",))
GUARD = Guard.for_catalog([CHARGER, STOVE])


class Scripted:
    """A backend that returns scripted replies and records the facts it was given."""

    def __init__(self, *replies: str):
        self.replies, self.seen = list(replies), []

    def generate(self, facts: ReplyFacts, attempt: int = 0) -> str:
        self.seen.append(facts)
        return self.replies[min(attempt, len(self.replies) - 1)]

    def stream(self, facts: ReplyFacts, attempt: int = 0):
        yield self.generate(facts, attempt)


def test_split_verbatim_keeps_the_lead_for_the_model_and_the_list_for_code():
    model_facts, tail = split_verbatim(WHICH)
    assert model_facts.notes == ("Which one do you mean?",)
    assert tail == f"1. {CHARGER.title}; 2. {STOVE.title}"
    assert split_verbatim(SEARCH) == (SEARCH, "")


def test_which_one_options_are_appended_verbatim_not_paraphrased():
    backend = Scripted("Sure! Which one would you like?")
    written = ReplyWriter(backend, GUARD).write(WHICH)
    assert written.text == f"Sure! Which one would you like? 1. {CHARGER.title}; 2. {STOVE.title}"
    assert not written.fallback and "1." not in backend.seen[0].notes[0]


def test_a_model_that_invents_an_option_cannot_get_it_shown():
    # the model's own list is part of its lead: the chimera fails the guard and the repair drops that sentence
    backend = Scripted("Which one? 1. Sonique OrbitFit Camping Stove.")
    written = ReplyWriter(backend, GUARD).write(WHICH)
    assert written.text == f"Which one? 1. {CHARGER.title}; 2. {STOVE.title}"
    assert "unknown_product" in written.failures


def test_streamed_reply_ends_with_the_verbatim_list():
    items = list(ReplyWriter(Scripted("Which one do you mean?"), GUARD).stream(WHICH))
    final = items[-1]
    assert isinstance(final, WrittenReply) and final.text.endswith(f"2. {STOVE.title}")
    assert "".join(i for i in items[:-1] if isinstance(i, str)).strip() == final.text


def test_reply_cut_mid_sentence_is_repaired_to_its_complete_sentences():
    text = f"Try the {CHARGER.title} ($24.99). The {STOVE.title} is also gr"
    written = ReplyWriter(Scripted(text), GUARD).write(SEARCH)
    assert written.text == f"Try the {CHARGER.title} ($24.99)." and not written.fallback
    assert "incomplete" in written.failures


def test_repair_never_keeps_a_chimera_or_drops_the_required_product():
    bad = "Meet the Sonique OrbitFit Camping Stove ($24.99). It is great."
    written = ReplyWriter(Scripted(bad), GUARD).write(SEARCH)
    assert written.fallback and "OrbitFit Camping Stove" not in written.text


def test_an_invented_price_for_an_unpriced_product_is_removed_not_shown():
    unpriced = Product(id="U1", title="UGG Women's Dakota Slipper, Chestnut, 8", description="", category="Shoes",
                       product_type="slippers", brand="UGG", price=None, display_name="UGG Dakota slipper")
    facts = ReplyFacts("search_products", Action.SEARCH, "ugg", products=(unpriced, CHARGER),
                       notes=("Here are 2 slippers.",))
    text = f"Have a look at the UGG Dakota slipper ($59.99) and the {CHARGER.title} ($24.99)."
    written = ReplyWriter(Scripted(text), Guard.for_catalog([unpriced, CHARGER])).write(facts)
    assert written.text == f"Have a look at the UGG Dakota slipper (price not listed) and the {CHARGER.title} ($24.99)."
    assert not written.fallback and "price" in written.failures


def test_a_computed_answer_about_the_shown_list_is_said_as_written():
    """ "The lightest one?" from the model would drop the answer: computed answers are never generated."""
    note = "None of the 2 listings shown states its weight, so I can't tell which is the lightest."
    facts = ReplyFacts("product_question", Action.ANSWER, "the lightest one?", products=(CHARGER, STOVE),
                       notes=(note,), verbatim=True)
    backend = Scripted("The lightest one?")
    writer = ReplyWriter(backend, GUARD)
    written = writer.write(facts)
    assert note in written.text and written.guard_passed and not written.fallback and backend.seen == []
    *pieces, final = list(writer.stream(facts))
    assert final.text == written.text and "".join(pieces) == written.text and not final.fallback
