"""Multi-turn conversations through the real Assistant (real Chroma index, real SQLite stores, real policy
collection, real ranker). Every conversation runs twice: with a deterministic keyword stand-in parser (fast
tier: the checks are about dialogue logic) and with the shipped fine-tuned NLU model (slow tier, ``[real]``:
the same conversations must work when the model parses them). test_assistant_real.py adds phrasings of its
own and one turn through the real reply writer."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.assistant import Assistant
from assistant.db import make_engine
from assistant.orders.repository import OrderRepository
from assistant.orders.seed import seed_demo_store
from assistant.policies.store import PolicyStore
from assistant.records import Action
from assistant.settings import Settings
from tests.assistant.runtime_parts import assistant_of
from retrieval.chroma_client import open_client
from tests.assistant.standin_parser import StandinParser


@pytest.fixture(scope="session")
def policy_store(tmp_path_factory, embedder):
    store = PolicyStore(open_client(tmp_path_factory.mktemp("policies") / "chroma"), embedder, "policies")
    store.index()
    return store


@pytest.fixture(params=["standin", pytest.param("real", marks=pytest.mark.slow)])
def parser_kind(request):
    return request.param


@pytest.fixture
def make(tmp_path, product_index, hybrid_index, policy_store, parser_kind, request):
    """make() -> a fresh Assistant over the same data dir (calling it again simulates a restart)."""
    settings = Settings(data_dir=tmp_path / "data", catalog_size=300)
    engine = make_engine(settings.db_url)
    seed_demo_store(OrderRepository(engine), product_index.all_products()[:40], seed=3)

    default = StandinParser() if parser_kind == "standin" else request.getfixturevalue("real_parser")

    def _make(parser=None, writer=None) -> Assistant:  # the real RankingPolicy
        return assistant_of(settings, parser=parser or default, index=hybrid_index, policies=policy_store, writer=writer)
    return _make


@pytest.fixture
def bot(make):
    return make()


def _busiest_type(catalog) -> str:
    return Counter(p.product_type for p in catalog).most_common(1)[0][0]


def test_slots_carry_over_and_cheaper_is_cheaper(bot, catalog):
    ptype = _busiest_type(catalog)
    of_type = [p for p in catalog if p.product_type == ptype]
    limit = int(sorted(p.price for p in of_type)[-2]) + 1
    sid = bot.new_session("dave")
    t1 = bot.handle(sid, "dave", f"show me {ptype} under {limit}")
    assert t1.action is Action.SEARCH and t1.products and t1.error is None
    assert all(c.product.product_type == ptype and c.product.price <= limit for c in t1.products)
    color = Counter(c for p in of_type if p.price <= limit for c in p.colors).most_common(1)[0][0]
    t2 = bot.handle(sid, "dave", f"in {color}")
    assert t2.products, "a colour present in the catalog must find something"
    assert all(c.product.product_type == ptype and c.product.price <= limit and color in c.product.colors
               for c in t2.products)
    t3 = bot.handle(sid, "dave", f"show me {ptype}")  # same type again: colour and price are kept
    assert all(color in c.product.colors for c in t3.products)
    before = [c.product.price for c in t1.products] + [c.product.price for c in t2.products]
    t4 = bot.handle(sid, "dave", "something cheaper please")
    assert t4.action is Action.SEARCH
    shown_before = min(c.product.price for c in t3.products)
    assert all(c.product.price < shown_before for c in t4.products)
    assert all(c.product.product_type == ptype for c in t4.products) and before


def test_new_type_resets_and_paging_and_different(bot, catalog):
    ptype = _busiest_type(catalog)
    sid = bot.new_session("dave")
    bot.handle(sid, "dave", "show me red headphones under 100")
    first = bot.handle(sid, "dave", f"I want {ptype}")
    assert first.products and all(c.product.product_type == ptype for c in first.products)
    assert any("red" not in c.product.colors for c in first.products) or len(first.products) < 3
    more = bot.handle(sid, "dave", "show me more")
    seen = {c.product.id for c in first.products}
    assert more.action is Action.SEARCH and not seen & {c.product.id for c in more.products}
    other = bot.handle(sid, "dave", "something different")
    seen |= {c.product.id for c in more.products}
    assert not seen & {c.product.id for c in other.products}


def test_unknown_brand_says_none_found(bot):
    sid = bot.new_session("dave")
    turn = bot.handle(sid, "dave", "show me sony headphones")
    assert turn.action is Action.SEARCH and "sony" in turn.reply.lower() and "carry" in turn.reply.lower()
    assert all(c.product.product_type == "headphones" for c in turn.products)


def test_references_questions_compare_cart_and_restart(make, catalog):
    bot = make()
    ptype = _busiest_type(catalog)
    sid = bot.new_session("alice")
    shown = [c.product for c in bot.handle(sid, "alice", f"show me {ptype}").products]
    assert len(shown) >= 3
    q = bot.handle(sid, "alice", "what is the material of the second one?")
    assert q.action is Action.ANSWER and dict(q.data)["product_id"] == shown[1].id
    assert q.reply and (shown[1].material or "not listed") in q.reply
    q2 = bot.handle(sid, "alice", "does it have a warranty?")  # "it" = the product we just talked about
    assert q2.action is Action.ANSWER and dict(q2.data)["product_id"] == shown[1].id
    assert "warranty" in q2.reply and not q2.reply.lower().startswith("yes")
    brands = Counter(p.brand for p in shown)
    unique = next((p for p in shown if brands[p.brand] == 1), None)
    if unique is not None:  # "the <brand> one"
        q3 = bot.handle(sid, "alice", f"how much is the {unique.brand.lower()} one?")
        assert dict(q3.data)["product_id"] == unique.id and f"{unique.price:.2f}" in q3.reply
    shared = next((p for p in shown if brands[p.brand] > 1), None)
    if shared is not None:  # ambiguous: ask, listing only the matching ones
        q4 = bot.handle(sid, "alice", f"how much is the {shared.brand.lower()} one?")
        assert q4.action is Action.CLARIFY and shared.title in q4.reply
    cmp_ = bot.handle(sid, "alice", "compare the first and the third")
    table = dict(cmp_.data)["table"]
    assert cmp_.action is Action.COMPARE and shown[0].title in table and shown[2].title in table
    assert shown[1].title not in table
    add = bot.handle(sid, "alice", "add 2 of the first one to my cart")
    assert add.action is Action.CART_ADD
    bot.handle(sid, "alice", "put option 3 in my cart")
    assert [(line.product_id, line.quantity) for line in bot.cart(sid)] == [(shown[0].id, 2), (shown[2].id, 1)]
    which = bot.handle(sid, "alice", "add one to my cart")
    assert which.action is Action.CLARIFY

    restarted = make()  # a new process on the same data dir
    assert [(line.product_id, line.quantity) for line in restarted.cart(sid)] == [(shown[0].id, 2), (shown[2].id, 1)]
    again = restarted.handle(sid, "alice", "add the second one to my cart")
    assert again.action is Action.CART_ADD and restarted.cart(sid)[-1].product_id == shown[1].id
    cheaper = restarted.handle(sid, "alice", "anything cheaper?")  # slots and shown list survived
    assert all(c.product.product_type == ptype and c.product.price < min(p.price for p in shown) for c in cheaper.products)


def test_recommend_for_new_user_and_timings(bot):
    sid = bot.new_session("newbie")
    turn = bot.handle(sid, "newbie", "what do you recommend for me")
    assert turn.action is Action.RECOMMEND and turn.products
    stages = {t.stage for t in turn.timings}
    assert {"parse", "retrieve", "rank", "write", "store"} <= stages
    assert all(c.breakdown.parts for c in turn.products)


EXPECTED_STATUS = {"10001": "delivered", "10002": "shipped", "10003": "placed", "10011": "processing",
                   "10012": "out_for_delivery", "10013": "delivered", "10014": "cancelled", "10021": "returned",
                   "10022": "returned", "10023": "delivered"}
OWNER = {"1000": "alice", "1001": "bob", "1002": "carol"}


@pytest.mark.parametrize("order_id,status", sorted(EXPECTED_STATUS.items()))
def test_each_order_state_answer(bot, order_id, status):
    user = OWNER[order_id[:4]]
    turn = bot.handle(bot.new_session(user), user, f"where is my order {order_id}")
    assert turn.action is Action.ORDER_LOOKUP and dict(turn.data) == {"order_id": order_id, "status": status}
    assert order_id in turn.reply
    words = {"shipped": "UPS", "out_for_delivery": "today", "delivered": "delivered", "cancelled": "cancel",
             "placed": "placed", "processing": "process", "returned": "return"}
    assert words[status].lower() in turn.reply.lower()


def test_cancel_refused_once_shipped_and_allowed_before(bot):
    sid = bot.new_session("alice")
    refused = bot.handle(sid, "alice", "cancel order 10002")
    assert refused.action is Action.REFUSE and "shipped" in refused.reply
    assert bot.orders.get_order("alice", "10002").status == "shipped"
    done = bot.handle(sid, "alice", "please cancel order 10003")
    assert done.action is Action.CANCEL and bot.orders.get_order("alice", "10003").status == "cancelled"
    assert dict(done.data)["refund_id"].startswith("F-")


def test_return_window_enforced(bot):
    ok = bot.handle(bot.new_session("alice"), "alice", "I want to return order 10001")
    assert ok.action is Action.RETURN_STARTED and dict(ok.data)["return_id"] in ok.reply
    late = bot.handle(bot.new_session("bob"), "bob", "I want to return order 10013")
    assert late.action is Action.REFUSE and "return window" in late.reply
    assert bot.orders.get_order("bob", "10013").status == "delivered"


def test_refund_status(bot):
    turn = bot.handle(bot.new_session("carol"), "carol", "what about the refund for 10022")
    assert turn.action is Action.REFUND_LOOKUP and dict(turn.data)["refund_status"] == "pending"


@pytest.mark.parametrize("text", ["where is order {}", "cancel order {}", "return order {}", "refund for order {}"])
def test_cross_user_access_is_indistinguishable_from_made_up(bot, text):
    other = bot.handle(bot.new_session("bob"), "bob", text.format("10001"))  # alice's order
    fake = bot.handle(bot.new_session("bob"), "bob", text.format("99999"))
    assert (other.reply, other.action, other.data, other.products) == (fake.reply, fake.action, fake.data, fake.products)
    assert "can't find that order on your account" in other.reply
    assert bot.orders.get_order("alice", "10001").status == "delivered"
    assert "alice" not in other.reply.lower()


def test_anonymous_must_sign_in_and_missing_id_clarifies(bot):
    anon = bot.handle(bot.new_session("anonymous"), "anonymous", "where is order 10001")
    assert anon.action is Action.REFUSE and "sign in" in anon.reply
    sid = bot.new_session("alice")
    ask = bot.handle(sid, "alice", "I want to cancel my order")
    assert ask.action is Action.CLARIFY and "10003" in ask.reply
    follow = bot.handle(sid, "alice", "10002")
    assert follow.action is Action.REFUSE and "shipped" in follow.reply  # the pending cancel, refused


def test_policy_answers_from_the_policies_collection(bot):
    sid = bot.new_session("anonymous")
    ship = bot.handle(sid, "anonymous", "how much does shipping cost?")
    assert ship.action is Action.POLICY_ANSWER and any(k == "policy" and v.startswith("shipping#") for k, v in ship.data)
    pay = bot.handle(sid, "anonymous", "which payment methods do you accept")
    assert pay.action is Action.POLICY_ANSWER and any(v.startswith("payment#") for k, v in pay.data)
    ret = bot.handle(sid, "anonymous", "what is your return policy?")
    assert ret.action is Action.POLICY_ANSWER and "30 days" in ret.reply


def test_complaint_then_handoff_with_redacted_transcript(bot):
    sid = bot.new_session("carol")
    bot.handle(sid, "carol", "my email is carol.smith@example.com")
    sorry = bot.handle(sid, "carol", "this is terrible, the parcel was damaged")
    assert sorry.action is Action.ANSWER and "sorry" in sorry.reply.lower() and "human" in sorry.reply.lower()
    ticket = bot.handle(sid, "carol", "yes please")
    assert ticket.action is Action.HANDOFF
    tid = dict(ticket.data)["ticket_id"]
    [(stored_id, transcript)] = bot.orders.tickets("carol")
    assert stored_id == tid and "damaged" in transcript and "[EMAIL]" in transcript
    assert "carol.smith" not in transcript


def test_redaction_before_storage(bot):
    sid = bot.new_session("bob")
    text = "my card 4111 1111 1111 1111 was charged twice, call me at 415-555-0134, I live at 12 Main Street"
    turn = bot.handle(sid, "bob", text)
    assert "4111" not in turn.text and "555-0134" not in turn.text and "Main Street" not in turn.text
    stored = bot.events.transcript(sid)
    for secret in ("4111", "555-0134", "Main Street"):
        assert secret not in stored
    assert "[CARD]" in stored and "[PHONE]" in stored and "[ADDRESS]" in stored


def test_forget_deletes_that_user_only(make):
    bot = make()
    a, b = bot.new_session("alice"), bot.new_session("bob")
    bot.handle(a, "alice", "I need a human agent")
    bot.handle(b, "bob", "I need a human agent")
    bot.handle(a, "alice", "show me headphones")
    bot.handle(b, "bob", "show me headphones")
    assert bot.runtime.stores.interactions.history("alice") and bot.runtime.stores.interactions.history("bob")  # the ranker logged views
    report = bot.forget("alice")
    assert report.events > 0 and report.tickets == 1 and report.interactions > 0
    assert bot.runtime.stores.interactions.history("alice") == [] and bot.runtime.stores.interactions.history("bob")
    assert bot.events.count("alice") == 0 and bot.orders.tickets("alice") == []
    assert bot.events.count("bob") > 0 and len(bot.orders.tickets("bob")) == 1
    assert bot.orders.get_order("alice", "10001") is not None  # orders are kept
    assert make().cart(a) == []


def test_errors_become_turns_not_tracebacks(make):
    class Broken(StandinParser):
        def parse(self, text):
            raise RuntimeError("model exploded")

    bot = make(parser=Broken())
    turn = bot.handle(bot.new_session("bob"), "bob", "hello")
    assert turn.error == "internal_error" and "Sorry" in turn.reply  # a code: never the exception text
    odd = make().handle("s-x", "bob", None)  # bad input: no crash
    assert odd.error is None and odd.action in (Action.CLARIFY, Action.REFUSE)
    lost = make().handle("x" * 500, "bob", "hello")
    assert lost.error == "bad_session" and lost.action is Action.REFUSE


def test_session_of_another_user_is_refused(bot):
    sid = bot.new_session("alice")
    bot.handle(sid, "alice", "show me headphones")
    turn = bot.handle(sid, "bob", "add the first one to my cart")
    assert turn.action is Action.REFUSE and turn.error and bot.cart(sid) == []


@pytest.mark.parametrize("parser_kind", ["standin"])  # a low-confidence parse on demand needs the stand-in
def test_low_confidence_clarifies(bot):
    turn = bot.handle(bot.new_session("bob"), "bob", "purple monkey dishwasher")
    assert turn.action is Action.CLARIFY and turn.products == ()


@pytest.mark.parametrize("parser_kind", [pytest.param("real", marks=pytest.mark.slow)])
def test_unknown_type_and_gibberish_real_model(bot):
    sid = bot.new_session("bob")
    odd = bot.handle(sid, "bob", "purple monkey dishwasher")  # parsed as a search for an unknown type
    assert odd.error is None and "monkey dishwasher" in odd.reply and "closest" in odd.reply
    assert not odd.reply.startswith("Here are")  # never claims these are monkey dishwashers
    noise = bot.handle(sid, "bob", "zxqv blorp fnarg")
    assert noise.action in (Action.CLARIFY, Action.REFUSE) and noise.products == ()


def test_stream_yields_tokens_then_turn(make):
    from assistant.records import Turn
    from assistant.writer.writer import WrittenReply

    class RejectedWriter:  # streams a reply the guard then rejects: the Turn carries the template instead
        def stream(self, facts):
            yield "Order 99999 "
            yield "is lost."
            yield WrittenReply("Order 10002 has shipped.", guard_passed=False, fallback=True, attempts=1)

        def write(self, facts):
            return WrittenReply("generated", True, False, 1)

    bot = make(writer=RejectedWriter())
    sid = bot.new_session("alice")
    items = list(bot.stream(sid, "alice", "where is order 10002"))
    assert items[:2] == ["Order 99999 ", "is lost."] and isinstance(items[-1], Turn)
    turn = items[-1]
    assert turn.reply == "Order 10002 has shipped." and turn.fallback and not turn.guard_passed
    assert "bot: Order 10002 has shipped." in bot.events.transcript(sid)  # the authoritative text is stored
    assert bot.handle(sid, "alice", "where is order 10002", generate=True).reply == "generated"
    assert bot.handle(sid, "alice", "where is order 10002", generate=False).reply != "generated"
    plain = make()
    items = list(plain.stream(plain.new_session("bob"), "bob", "show me headphones"))
    assert isinstance(items[0], str) and isinstance(items[-1], Turn) and items[-1].reply == items[0]


def test_feedback_demo_users_and_bad_input(bot, catalog):
    from assistant.assistant import AssistantError

    assert {u.user_id for u in bot.demo_users()} == {"alice", "bob", "carol", "dave"}
    sid = bot.new_session("bob")
    with pytest.raises(AssistantError):
        bot.feedback(sid, "bob", catalog[0].id, "love")
    with pytest.raises(AssistantError):  # nothing shown yet: feedback is only for shown products
        bot.feedback(sid, "bob", catalog[0].id, "like")
    shown = bot.handle(sid, "bob", f"show me {catalog[0].product_type}").products[0].product.id
    with pytest.raises(AssistantError):
        bot.feedback(sid, "bob", "no-such-product", "like")
    bot.feedback(sid, "bob", shown, "like")
    bot.feedback(sid, "bob", shown, "add_to_cart")
    assert [(line.product_id, line.quantity) for line in bot.cart(sid)] == [(shown, 1)]


def test_turn_carries_the_writer_facts(bot):
    turn = bot.handle(bot.new_session("alice"), "alice", "where is my order 10002")
    assert turn.facts is not None and turn.facts.orders[0].order_id == "10002"
    assert turn.facts.user_text == turn.text and turn.facts.action is turn.action
