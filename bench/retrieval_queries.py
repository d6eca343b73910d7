"""A labelled set of synthetic shopper queries for retrieval quality, held out from the catalog text.

The queries come from templates and phrase lists written here, independently of the catalog
generator's description templates (retrieval/catalog/describe.py): a need paraphrase that avoids the
product-type word ("something to brew my morning coffee") or a synonym ("trainers"), plus one key
attribute said differently ("that keeps the rain out" for waterproof). Nothing is tuned on them.

Graded relevance by attribute match: 3 = right product type and the key attribute, 2 = right type,
1 = right category, 0 = anything else.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from retrieval.product import Product

# product type -> (need paraphrases without the type word, synonyms)
TYPES: dict[str, tuple[list[str], list[str]]] = {
    "running shoes": (["something to wear for my daily jog", "footwear for marathon training"], ["runners", "jogging shoes"]),
    "hiking boots": (["something sturdy for my feet on mountain trails"], ["trekking boots", "mountain boots"]),
    "sneakers": (["comfy shoes to walk around town"], ["trainers", "kicks"]),
    "sandals": (["open toe shoes for the beach"], ["flip flops", "slides"]),
    "slippers": (["something warm for my feet around the house"], ["house shoes"]),
    "loafers": (["slip-on dress shoes for the office"], ["moccasins"]),
    "boots": (["something for my feet on snowy winter days"], ["winter boots", "ankle boots"]),
    "jackets": (["something to wear over a sweater when it is cold outside"], ["coat", "outerwear"]),
    "dresses": (["something to wear to a summer wedding"], ["gown", "frock"]),
    "sweaters": (["a knit top for chilly evenings"], ["jumper", "pullover"]),
    "t-shirts": (["a basic short sleeve top"], ["tee", "tees"]),
    "hoodies": (["a cozy top with a hood"], ["hooded sweatshirt"]),
    "raincoats": (["something to keep me dry in a downpour"], ["rain jacket", "slicker"]),
    "leggings": (["tight pants for the gym"], ["yoga pants", "tights"]),
    "backpacks": (["something to carry my books to school"], ["rucksack", "daypack"]),
    "handbags": (["something to carry my things on a night out"], ["purse"]),
    "duffel bags": (["a bag for gym clothes and weekend trips"], ["holdall", "gym bag"]),
    "laptop bags": (["something to carry my computer to work"], ["computer bag", "briefcase"]),
    "wallets": (["something to hold my cards and cash"], ["billfold", "card holder"]),
    "suitcases": (["luggage for a two week trip"], ["luggage", "carry-on"]),
    "headphones": (["something to listen to music on long flights"], ["over-ear cans"]),
    "earbuds": (["tiny in-ear audio for the gym"], ["in-ear headphones"]),
    "mice": (["a pointing device for my computer"], ["computer mouse"]),
    "keyboards": (["something to type on at my desk"], ["typing board"]),
    "laptops": (["a portable computer for college"], ["notebook computer"]),
    "smartwatches": (["a wrist gadget that tracks my workouts"], ["fitness watch", "smart watch"]),
    "bluetooth speakers": (["something to play music at a picnic"], ["portable speaker"]),
    "monitors": (["a second screen for my home office"], ["computer display"]),
    "coffee makers": (["something to brew my morning coffee"], ["coffee machine", "drip brewer"]),
    "pans": (["something to fry eggs in"], ["skillet", "frying pan"]),
    "blenders": (["something to make smoothies"], ["smoothie maker"]),
    "water bottles": (["something to carry drinks on a hike"], ["flask", "hydration bottle"]),
    "knives": (["something to chop vegetables"], ["chef's knife", "cleaver"]),
    "kettles": (["something to boil water for tea"], ["tea kettle"]),
    "mugs": (["something to keep my coffee hot", "a cup for my morning tea"], ["coffee cup"]),
    "coffee beans": (["something to grind for espresso"], ["whole bean coffee", "espresso roast"]),
    "lamps": (["something to light up my living room"], ["table light"]),
    "rugs": (["something soft to cover the floor"], ["carpet", "floor mat"]),
    "pillows": (["something to rest my head on at night"], ["cushion"]),
    "towels": (["something to dry off after a shower"], ["bath sheet"]),
    "candles": (["something that makes my room smell nice"], ["scented wax"]),
    "curtains": (["something to cover my windows"], ["drapes", "window panels"]),
    "blankets": (["something to keep warm on the couch"], ["throw", "comforter"]),
    "sofas": (["a place for the family to sit in the living room"], ["couch", "loveseat"]),
    "desks": (["a table to work at from home"], ["writing table", "workstation"]),
    "mattresses": (["something to sleep better on"], ["bed"]),
    "bookshelves": (["somewhere to store my books"], ["bookcase", "shelving unit"]),
    "office chairs": (["a seat for long hours at the computer"], ["desk chair", "task chair"]),
    "moisturizer": (["something for dry skin"], ["face cream", "lotion"]),
    "shampoo": (["something to wash my hair"], ["hair wash"]),
    "sunscreen": (["protection from sunburn at the beach"], ["sunblock"]),
    "lipstick": (["something to add color to my lips"], ["lip color"]),
    "perfume": (["a fragrance for evenings out"], ["fragrance", "cologne"]),
    "razors": (["something to shave with"], ["shaver"]),
    "deodorant": (["something to stop me smelling after the gym"], ["antiperspirant"]),
    "hair dryers": (["something to dry my hair fast"], ["blow dryer"]),
    "tents": (["shelter for a night in the woods"], ["camping shelter"]),
    "yoga mats": (["something to stretch on"], ["exercise mat"]),
    "sleeping bags": (["something to sleep in when camping"], ["sleeping sack"]),
    "dumbbells": (["weights for strength training at home"], ["free weights", "hand weights"]),
    "bike helmets": (["head protection for cycling"], ["cycling helmet"]),
    "trekking poles": (["something to steady me on steep trails"], ["walking sticks", "hiking poles"]),
    "board games": (["something to play at family game night"], ["tabletop game"]),
    "puzzles": (["a thousand pieces to put together"], ["jigsaw"]),
    "plush toys": (["something soft and cuddly for a toddler"], ["stuffed animal", "teddy"]),
    "rc cars": (["a remote controlled toy vehicle"], ["remote control car"]),
    "watches": (["something to tell the time on my wrist"], ["wristwatch", "timepiece"]),
    "necklaces": (["something to wear around my neck"], ["pendant", "chain"]),
    "earrings": (["something for my ears"], ["studs", "hoops"]),
    "dog food": (["dinner for my puppy"], ["kibble"]),
    "dog beds": (["somewhere for my dog to sleep"], ["pet bed"]),
    "leashes": (["something to walk my dog with"], ["dog lead"]),
    "notebooks": (["something to write notes in"], ["journal", "notepad"]),
    "pens": (["something to write with"], ["ballpoint", "rollerball"]),
    "planners": (["something to organize my week"], ["agenda", "diary"]),
}

# feature -> ways a shopper says it
FEATURE_PHRASES: dict[str, list[str]] = {
    "waterproof": ["that keeps the rain out", "that won't let water in"],
    "insulated": ["that keeps the heat in"],
    "noise cancelling": ["that blocks out engine noise"],
    "wireless": ["without any cables"],
    "lightweight": ["that doesn't weigh much"],
    "breathable": ["that lets air through on hot days"],
    "cushioned": ["with lots of padding"],
    "slip resistant": ["that won't slip on wet floors"],
    "vegan": ["with no animal products"],
    "machine washable": ["that I can throw in the washer"],
    "quick dry": ["that dries fast"],
    "leak proof": ["that won't spill in my bag"],
    "dishwasher safe": ["that can go in the dishwasher"],
    "nonstick": ["that food won't stick to"],
    "programmable": ["with a timer I can set the night before"],
    "ergonomic": ["that is easy on my wrist and back"],
    "hypoallergenic": ["that won't irritate sensitive skin"],
    "blackout": ["that block all daylight"],
    "rfid blocking": ["that protects my cards from scanners"],
    "packable": ["that folds into a small bag"],
    "hooded": ["with a hood"],
    "orthopedic": ["good for an old dog's joints"],
    "cruelty free": ["not tested on animals"],
    "long lasting": ["that lasts all day"],
    "portable": ["I can take anywhere"],
    "heart rate monitor": ["that tracks my pulse"],
    "fragrance free": ["without any scent"],
    "sulfate free": ["without harsh sulfates"],
    "easy assembly": ["that is simple to put together"],
    "eco friendly": ["that is kind to the planet"],
    "temperature control": ["where I can set the exact temperature"],
    "cordless": ["without a cord"],
    "mechanical": ["with clicky keys"],
    "backlit": ["with keys that light up"],
    "spinner wheels": ["that rolls easily through the airport"],
    "adjustable": ["that I can change the weight of"],
    "non slip": ["that stays put on the floor"],
    "extra thick": ["with extra padding for my knees"],
    "dimmable": ["that I can turn down low"],
    "grain free": ["without wheat or corn"],
    "reflective": ["that is visible at night"],
    "high waist": ["that sits high on the waist"],
    "height adjustable": ["that I can raise to stand at"],
    "stain resistant": ["that shrugs off spills"],
    "organic": ["grown without pesticides"],
}

AUDIENCE_PHRASES: dict[str, list[str]] = {
    "men": ["for my husband", "for a man"], "women": ["for my wife", "for a woman"],
    "kids": ["for my son", "for a child"], "unisex": ["for anyone"],
}

TEMPLATES = {
    "feature": ["{thing} {attr}", "any {thing} {attr}?", "I need {thing} {attr}"],
    "color": ["{thing}, {attr} if possible", "looking for {thing} in {attr}"],
    "material": ["{thing} made of {attr}", "{attr} {thing} please"],
    "audience": ["{thing} {attr}", "gift idea: {thing} {attr}"],
}


@dataclass(frozen=True)
class LabelledQuery:
    text: str
    product_type: str
    category: str
    attribute_kind: str  # feature, color, material, audience
    attribute: str
    style: str = "need"  # "need" (paraphrase without the type word) or "synonym"

    def has_attribute(self, p: Product) -> bool:
        if self.attribute_kind == "feature":
            return self.attribute in p.features
        if self.attribute_kind == "color":
            return self.attribute in p.colors
        if self.attribute_kind == "material":
            return p.material == self.attribute
        return p.audience == self.attribute

    def grade(self, p: Product) -> int:
        if p.product_type == self.product_type:
            return 3 if self.has_attribute(p) else 2
        return 1 if p.category == self.category else 0


def _attributes(kind: str, products: list[Product]) -> list[str]:
    if kind == "feature":
        return sorted({f for p in products for f in p.features if f in FEATURE_PHRASES})
    if kind == "color":
        return sorted({c for p in products for c in p.colors})
    if kind == "material":
        return sorted({p.material for p in products if p.material})
    return sorted({p.audience for p in products if p.audience in AUDIENCE_PHRASES})


def _phrase(rng: random.Random, kind: str, attribute: str) -> str:
    if kind == "feature":
        return rng.choice(FEATURE_PHRASES[attribute])
    if kind == "audience":
        return rng.choice(AUDIENCE_PHRASES[attribute])
    return attribute


def build_queries(catalog: list[Product], n: int = 200, seed: int = 2026) -> list[LabelledQuery]:
    """``n`` distinct labelled queries, each with at least one grade-3 product in ``catalog``."""
    rng = random.Random(seed)
    by_type: dict[str, list[Product]] = {}
    for p in catalog:
        by_type.setdefault(p.product_type, []).append(p)
    types = sorted(t for t in TYPES if t in by_type)
    seen: set[str] = set()
    out: list[LabelledQuery] = []
    for _ in range(n * 50):
        if len(out) >= n:
            break
        ptype = rng.choice(types)
        kind = rng.choice(list(TEMPLATES))
        options = _attributes(kind, by_type[ptype])
        if not options:
            continue
        attribute = rng.choice(options)
        needs, synonyms = TYPES[ptype]
        thing = rng.choice(needs + synonyms)
        style = "need" if thing in needs else "synonym"
        text = rng.choice(TEMPLATES[kind]).format(thing=thing, attr=_phrase(rng, kind, attribute))
        if text in seen:
            continue
        seen.add(text)
        out.append(LabelledQuery(text, ptype, by_type[ptype][0].category, kind, attribute, style))
    return out
