"""The seeded fact -> reply dataset for the writer's LoRA fine-tune (and its held-out evaluation set).

``build_cases(n, seed)`` draws fact sets across every intent/action (weights below) from a generated
catalog and pairs each with a target reply: a phrasing variant of ``template_reply`` plus a warm opener,
so targets are always correct by construction. Train and held-out sets use different seeds (and different
catalog seeds), so held-out products are unseen titles.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass

from assistant.records import Action, ReplyFacts
from assistant.writer.template import template_reply
from retrieval.catalog.generate import generate_catalog
from retrieval.product import Product
from training.generator import scenarios as shop
from training.generator import service_scenarios as service

TRAIN_SEED = 101
HELDOUT_SEED = 909
# (builder, weight, uses products grouped by type)
BUILDERS = (
    (shop.search, 14, True), (shop.search_none, 5, True), (shop.recommend, 8, True), (shop.answer, 10, True),
    (shop.compare, 4, True), (shop.cart_add, 4, True), (shop.clarify, 4, True),
    (service.order_status, 8, False), (service.cancel, 6, False), (service.return_item, 6, False),
    (service.refund, 5, False), (service.order_refused, 3, False), (service.policy, 8, False),
    (service.complaint, 3, False), (service.handoff, 3, False), (service.smalltalk, 4, False), (service.refuse, 5, False),
)
OPENERS = {
    Action.SEARCH: ("", "Sure! ", "Great choice. ", "Happy to help! "),
    Action.RECOMMEND: ("", "Sure! ", "Happy to help! "),
    Action.ANSWER: ("", "", "Good question. "),
    Action.ORDER_LOOKUP: ("", "I checked that for you. ", "Thanks for waiting! "),
    Action.CANCEL: ("", "Done! ", "All set. "),
    Action.RETURN_STARTED: ("", "No problem. ", "All set. "),
    Action.REFUND_LOOKUP: ("", "I checked that for you. "),
    Action.REFUSE: ("", "Sorry! ", "I'm sorry. "),
    Action.CART_ADD: ("", "Done! ", "Sure! "),
    Action.HANDOFF: ("", "Of course. "),
}


@dataclass(frozen=True)
class Case:
    facts: ReplyFacts
    reply: str
    kind: str  # builder name, for per-kind evaluation


def target_reply(facts: ReplyFacts, rng: random.Random) -> str:
    text = template_reply(facts, variant=rng.randrange(12))
    opener = rng.choice(OPENERS.get(facts.action, ("",)))
    if facts.intent == "out_of_scope" and rng.random() < 0.6:
        opener = "Sorry, I can't help with that. "
    if text.startswith(("Sorry", "Yes", "Good news", "I'm", "Thanks")):
        opener = ""
    return opener + text


def _by_type(products: list[Product]) -> dict[str, list[Product]]:
    groups: dict[str, list[Product]] = defaultdict(list)
    for p in products:
        groups[p.product_type].append(p)
    return {k: v for k, v in groups.items() if len(v) >= 3}


def build_cases(n: int, seed: int = TRAIN_SEED, catalog_size: int = 1500) -> list[Case]:
    rng = random.Random(seed)
    products = generate_catalog(catalog_size, seed=seed)
    groups = _by_type(products)
    builders = [b for b, _, _ in BUILDERS]
    weights = [w for _, w, _ in BUILDERS]
    cases = []
    for _ in range(n):
        builder = rng.choices(builders, weights)[0]
        grouped = dict((b, g) for b, _, g in BUILDERS)[builder]
        facts = builder(rng, groups if grouped else products)
        cases.append(Case(facts, target_reply(facts, rng), builder.__name__))
    return cases


def heldout_cases(n: int = 300) -> list[Case]:
    return build_cases(n, seed=HELDOUT_SEED, catalog_size=800)
