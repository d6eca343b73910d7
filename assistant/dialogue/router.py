"""Pick the flow for one turn: pending questions first, then refine phrases, then clarify on a
low-confidence parse, then the parsed intent.

Precedence (documented decisions):
1. The bot asked "which order?" and the message carries an order id -> continue that intent
   (unless the message is itself a confident order intent in words, which wins: a bare "10002" or
   "order #10002" is an answer, whatever intent the NLU gives it).
2. The bot offered a human after a complaint and the user agrees -> handoff.
2b. A question about the list on screen ("cheapest of those?", "are any of them wireless?", "only the
   noise cancelling ones", "does the second one come in white?"): answered from the shown products' data
   (``shown_list.py``), never a new search; a confident service intent goes on to its flow.
3. "cheaper" / "show more" / "something different" with products on screen -> refine the search,
   whatever the NLU said (its refine_results intent does not tell these apart), unless the intent is
   a confident service intent.
4. Low-confidence parse -> clarify with the two likeliest readings.
5. Otherwise the intent's flow. Order intents phrased as policy questions ("how long do refunds take?",
   no order id) get the policy answer; shipping questions naming an order id get its status.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace

from assistant.dialogue import products, service, shopping, shown_list
from assistant.dialogue.context import FlowContext
from assistant.dialogue.outcome import FlowResult, Stopwatch
from assistant.dialogue.request import reads_as_query
from assistant.dialogue.state import DialogueState
from assistant.events import PendingSet
from assistant.privacy import Redaction
from assistant.records import Action, Parse

BARE_ID_WORDS = re.compile(r"\b(order|number|no|id|it'?s|it is|is|the|my|that|one|please|pls|ok|okay)\b|[#\W_]+", re.I)
YES_RE = re.compile(r"^\s*(yes|yeah|yep|sure|ok(ay)?|please( do)?|connect me|y)\b", re.I)
SERVICE_INTENTS = service.ORDER_INTENTS + service.POLICY_INTENTS + ("complaint", "human_agent")
INTENT_WORDS = {
    "search_products": "find products", "recommend": "get recommendations", "refine_results": "refine the results",
    "product_question": "ask about a product", "compare": "compare products", "add_to_cart": "add something to your cart",
    "order_status": "check an order", "cancel_order": "cancel an order", "return_item": "return an item",
    "refund_status": "check a refund", "shipping_info": "ask about shipping", "payment_issue": "sort out a payment",
    "account_help": "get help with your account", "complaint": "report a problem", "human_agent": "talk to a person",
    "greeting": "say hello", "goodbye": "end the chat", "thanks": "say thanks", "out_of_scope": "something else",
}
SMALLTALK = {
    "greeting": "Hi! I can help you find products, check or change your orders, and answer store policy questions.",
    "goodbye": "Thanks for stopping by. Goodbye!",
    "thanks": "You're welcome! Is there anything else I can help with?",
}
OUT_OF_SCOPE = "I can help with finding products, your orders, returns and refunds, and store policies."


def clarify(parse: Parse) -> FlowResult:
    top = [i for i, _ in parse.intent_scores[:2] if i in INTENT_WORDS] or [parse.intent]
    if len(top) >= 2:
        note = f"Sorry, I'm not sure I understood. Do you want to {INTENT_WORDS[top[0]]} or {INTENT_WORDS[top[1]]}?"
    else:
        note = "Sorry, I'm not sure I understood. Are you looking for a product, or asking about an order?"
    return FlowResult(Action.CLARIFY, notes=(note,), intent=parse.intent)


def _bare_order_id(parse: Parse) -> bool:
    """The message is just an order id ("10002", "order #10002", "it's 10002 please"): an answer, not a request."""
    rest = parse.text
    for e in sorted((e for e in parse.entities if e.type == "ORDER_ID"), key=lambda e: e.start, reverse=True):
        rest = rest[:e.start] + " " + rest[e.end:]
    return not BARE_ID_WORDS.sub(" ", rest).strip()


def _confident(parse: Parse, threshold: float) -> bool:
    return not parse.low_confidence and parse.confidence >= threshold


def route(ctx: FlowContext, state: DialogueState, parse: Parse, redaction: Redaction, clock: Stopwatch,
          transcript: Callable[[], str], threshold: float = 0.5) -> FlowResult:
    intent, confident = parse.intent, _confident(parse, threshold)
    if state.pending in service.ORDER_INTENTS and service.order_id_in(parse):
        worded = confident and intent in service.ORDER_INTENTS and not _bare_order_id(parse)
        target = intent if worded else state.pending
        with clock.stage("orders"):
            return service.order_flow(ctx, state, parse, target)
    if state.pending == "offer_handoff" and YES_RE.search(parse.text):
        with clock.stage("orders"):
            return service.handoff(ctx, state, transcript(), reason="complaint")
    if state.shown and not (confident and intent in SERVICE_INTENTS):
        with clock.stage("retrieve"):  # the shown products are looked up in the index
            listed = shown_list.answer(ctx, state, parse)
        if listed is not None:
            return _with_clear(state, listed)
    mode = shopping.detect_mode(parse.text)
    if mode != "new" and state.shown_all and not (confident and intent in SERVICE_INTENTS):
        return _with_clear(state, shopping.search(ctx, state, parse, clock, mode))
    if _search_box_query(ctx, state, parse, confident):
        return _with_clear(state, shopping.search(ctx, state, parse, clock, "new"))
    if not confident:
        return _with_clear(state, clarify(parse))
    return _with_clear(state, _dispatch(ctx, state, parse, redaction, clock, transcript))


def _search_box_query(ctx: FlowContext, state: DialogueState, parse: Parse, confident: bool) -> bool:
    """A search-box style query ("firestick", "keep grinding hat") the parser read as something else or was
    unsure about: search for it rather than refuse or ask (service requests never qualify)."""
    intent = parse.intent
    if intent in ("search_products", "refine_results", "recommend") or (confident and intent in SERVICE_INTENTS):
        return False
    if confident and intent in ("product_question", "compare", "add_to_cart") and state.shown:
        return False
    return reads_as_query(parse.text, ctx.index.coverage(parse.text))


def _with_clear(state: DialogueState, result: FlowResult) -> FlowResult:
    """A new topic drops whatever the bot was waiting for."""
    if state.pending and not any(isinstance(e, PendingSet) for e in result.events):
        return replace(result, events=result.events + (PendingSet(""),))
    return result


def _dispatch(ctx: FlowContext, state: DialogueState, parse: Parse, redaction: Redaction, clock: Stopwatch,
              transcript: Callable[[], str]) -> FlowResult:
    intent = parse.intent
    if intent in SMALLTALK:
        return FlowResult(Action.SMALLTALK, notes=(SMALLTALK[intent],), intent=intent)
    if intent in ("search_products", "refine_results"):
        return shopping.search(ctx, state, parse, clock, shopping.detect_mode(parse.text))
    if intent == "recommend":
        return shopping.recommend(ctx, state, parse, clock)
    if intent in ("product_question", "compare", "add_to_cart"):
        flow = {"product_question": products.question, "compare": products.compare, "add_to_cart": products.add_to_cart}
        with clock.stage("retrieve"):  # the shown products are looked up in the index
            return flow[intent](ctx, state, parse)
    with clock.stage("orders" if intent in service.ORDER_INTENTS + ("human_agent",) else "retrieve"):
        return _service(ctx, state, parse, redaction, transcript)


def _service(ctx: FlowContext, state: DialogueState, parse: Parse, redaction: Redaction,
             transcript: Callable[[], str]) -> FlowResult:
    intent = parse.intent
    if intent in service.ORDER_INTENTS:
        if intent != "order_status" and service.is_policy_question(parse):
            return service.policy_answer(ctx, parse, intent, redaction.kinds)
        return service.order_flow(ctx, state, parse, intent)
    if intent == "shipping_info" and service.order_id_in(parse):
        return service.order_flow(ctx, state, parse, "order_status")
    if intent in service.POLICY_INTENTS:
        return service.policy_answer(ctx, parse, intent, redaction.kinds)
    if intent == "complaint":
        return service.complaint(parse)
    if intent == "human_agent":
        return service.handoff(ctx, state, transcript(), reason="customer asked for a human")
    return FlowResult(Action.REFUSE, notes=(OUT_OF_SCOPE,), intent=intent)
