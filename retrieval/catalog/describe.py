"""Varied product descriptions: 3-5 sentences composed from many templates and per-category phrases.

Two products of one type share the vocabulary but rarely a sentence: each slot (opener, features,
material, use, colours, audience, care, brand promise) has several templates, and each template is
filled with randomly drawn adjectives, uses and phrases.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

ADJECTIVES: dict[str, list[str]] = {
    "footwear": ["comfortable", "supportive", "lightweight", "durable", "versatile", "grippy", "springy", "stylish"],
    "clothing": ["soft", "easy-going", "tailored", "cozy", "relaxed", "versatile", "timeless", "warm"],
    "bags": ["roomy", "sturdy", "organized", "sleek", "practical", "compact", "rugged"],
    "electronics": ["powerful", "compact", "reliable", "sleek", "fast", "smart", "responsive"],
    "kitchen": ["reliable", "sturdy", "handy", "well-balanced", "efficient", "good-looking", "everyday"],
    "home": ["cozy", "calming", "warm", "elegant", "simple", "inviting", "soft"],
    "furniture": ["solid", "comfortable", "modern", "space-saving", "classic", "sturdy", "mid-century"],
    "beauty": ["gentle", "nourishing", "lightweight", "long-wearing", "refreshing", "silky"],
    "personal care": ["gentle", "effective", "compact", "reliable", "refreshing"],
    "sports & outdoors": ["rugged", "trail-ready", "lightweight", "dependable", "packable", "tough"],
    "toys & games": ["fun", "colorful", "engaging", "imaginative", "clever", "giggle-inducing"],
    "jewelry & watches": ["elegant", "delicate", "timeless", "polished", "striking", "minimal"],
    "pet supplies": ["durable", "tail-wagging", "comfy", "wholesome", "sturdy"],
    "office": ["handy", "tidy", "smooth", "well-made", "practical", "minimal"],
}

USES: dict[str, list[str]] = {
    "footwear": ["daily miles", "long days on your feet", "weekend trails", "city walks", "travel days", "gym sessions", "rainy commutes"],
    "clothing": ["everyday wear", "layering on cool mornings", "the office", "weekend getaways", "travel", "nights out", "lazy Sundays"],
    "bags": ["the daily commute", "weekend trips", "carrying a laptop", "air travel", "school days", "the gym"],
    "electronics": ["working from home", "long flights", "gaming sessions", "video calls", "workouts", "studying"],
    "kitchen": ["busy weekday mornings", "weekend brunches", "meal prep", "small kitchens", "entertaining guests", "camping trips"],
    "home": ["the living room", "the bedroom", "guest rooms", "reading corners", "a first apartment", "quiet evenings"],
    "furniture": ["small apartments", "the home office", "family rooms", "the dining area", "guest rooms", "studio living"],
    "beauty": ["a morning routine", "sensitive skin", "everyday wear", "the gym bag", "a night routine", "sunny days"],
    "personal care": ["daily routines", "travel", "sensitive skin", "the gym bag", "a quick morning"],
    "sports & outdoors": ["weekend camping", "backpacking trips", "home workouts", "day hikes", "festival weekends", "the trail"],
    "toys & games": ["family game night", "rainy afternoons", "birthday gifts", "road trips", "screen-free play"],
    "jewelry & watches": ["everyday wear", "special occasions", "gifting", "the office", "evenings out"],
    "pet supplies": ["daily walks", "picky eaters", "long naps", "active dogs", "indoor cats"],
    "office": ["note taking", "the home office", "students", "planning the week", "desk organization"],
}

MATERIAL_ADJECTIVES = ["solid", "premium", "durable", "refined", "sturdy", "well made", "substantial"]

# product types whose uses differ from their category's
TYPE_USES: dict[str, list[str]] = {
    "dumbbells": ["home workouts", "strength days", "garage gyms", "small apartments"],
    "yoga mats": ["morning yoga", "pilates classes", "home workouts", "stretching after a run"],
    "bike helmets": ["daily bike commutes", "weekend rides", "mountain biking", "city cycling"],
    "laptops": ["working from home", "studying", "long flights", "video calls", "photo editing"],
    "monitors": ["working from home", "gaming sessions", "photo editing", "coding"],
    "leashes": ["daily walks", "active dogs", "city strolls", "hikes with your dog"],
    "dog beds": ["long naps", "older dogs", "crate training", "the living room"],
    "cat litter": ["indoor cats", "multi-cat homes", "small apartments"],
    "dog food": ["picky eaters", "active dogs", "growing puppies", "senior dogs"],
    "cat food": ["picky eaters", "indoor cats", "growing kittens", "senior cats"],
    "mattresses": ["side sleepers", "hot sleepers", "guest rooms", "couples"],
}

# how to count a plural-only product ("a comfortable pair of jeans")
UNITS: dict[str, str] = {"coffee beans": "bag of", "curtains": "set of", "dog food": "bag of", "cat food": "case of",
                         "cat litter": "bag of", "printer paper": "ream of"}

# care notes true of every product of the category; TYPE_CARE adds type-specific ones
CARE: dict[str, list[str]] = {
    "footwear": ["Spot clean with a damp cloth and let air dry.", "Remove the insoles to dry them overnight.", "Brush off dirt once dry to keep the uppers looking new."],
    "clothing": ["Machine wash cold and tumble dry low.", "Wash inside out to keep the color rich.", "Lay flat to dry to keep its shape."],
    "bags": ["Wipe clean with a soft cloth.", "Empty and air out after a wet day.", "Store stuffed to keep its shape."],
    "electronics": ["Keep away from extreme heat.", "A quick-start guide is in the box.", "Support is a short email away."],
    "kitchen": ["Dry thoroughly after washing.", "Store in a dry cupboard.", "Check the manual before first use."],
    "home": ["Dust regularly to keep it looking fresh.", "Keep out of direct sunlight to prevent fading."],
    "furniture": ["Assembly takes about 30 minutes with the included tools.", "Dust with a dry cloth.", "Keep out of direct sunlight to protect the finish."],
    "beauty": ["Patch test before first use.", "Store in a cool, dry place.", "Avoid contact with eyes."],
    "personal care": ["Store in a cool, dry place.", "Keep out of reach of small children."],
    "sports & outdoors": ["Dry completely before storing.", "Wipe down after use.", "Check it over before every trip."],
    "toys & games": ["Wipe clean with a damp cloth.", "Comes gift-ready in a sturdy box."],
    "jewelry & watches": ["Store in the included pouch.", "Remove before swimming.", "Polish gently with a soft cloth."],
    "pet supplies": ["Keep out of direct sun.", "Loved by pets and their people alike."],
    "office": ["Pairs well with the rest of the desk range.", "Store flat in a dry place."],
}

TYPE_CARE: dict[str, list[str]] = {
    "toothbrushes": ["Replace every three months."], "electric toothbrushes": ["Replace the brush head every three months."],
    "razors": ["Rinse the blades after each use."], "hair dryers": ["Clean the lint filter monthly."],
    "sleeping bags": ["Store loosely to keep the fill lofty."], "tents": ["Dry the fly before packing it away."],
    "coffee makers": ["Descale every few months for the best taste."], "kettles": ["Descale every few months."],
    "knives": ["Hand wash only to keep the edge."], "pans": ["Hand washing extends the coating's life."],
    "headphones": ["Charge fully before first use."], "earbuds": ["Charge fully before first use."],
    "smartwatches": ["Charge fully before first use."], "bluetooth speakers": ["Charge fully before first use."],
    "bedding": ["Wash before first use."], "towels": ["Wash before first use."], "blankets": ["Machine wash gentle."],
    "rugs": ["Vacuum regularly without the beater bar."], "candles": ["Trim the wick before each burn."],
    "building sets": ["Contains small parts; not for children under 3."], "puzzles": ["Pieces store neatly in the box."],
    "plush toys": ["Surface wash only."], "dog food": ["Introduce new food gradually over a week."],
    "cat food": ["Introduce new food gradually over a week."], "pet toys": ["Inspect regularly and replace when worn."],
    "dog beds": ["The cover is machine washable."], "pens": ["Keep the cap on when not in use."],
    "planners": ["Refills are sold separately."],
}

CARE_MARK = "<care>"  # placeholder in the slot list: draw a care note of the category

PROMISES: list[str] = [
    "{brand} backs it with a one-year warranty.",
    "Every {brand} product ships in plastic-free packaging.",
    "{brand} has been refining this design for years.",
    "It is one of the best sellers in the {brand} line-up.",
    "Free returns within 30 days if it is not right for you.",
    "Designed in-house by the {brand} team.",
    "Reviewers keep coming back to it for its value.",
    "A dependable pick at its price.",
]

OPENERS: list[str] = [
    "The {title} is a {adj} {noun} made for {use}.",
    "Meet the {title}: {brand}'s {adj} take on the classic {noun}.",
    "Built for {use}, this {adj} {noun} from {brand} keeps things simple.",
    "Looking for a {adj} {noun}? The {title} was designed with {use} in mind.",
    "The {title} is for anyone who wants a {adj} {noun} for {use}.",
    "This {adj} {noun} brings {brand}'s attention to detail to {use}.",
    "Say hello to a {adj}, no-fuss {noun} that is right at home in {use}.",
    "From {use} to {use2}, the {title} is a {adj} companion.",
]

FEATURE_LINES: list[str] = [
    "Highlights: {feats}.",
    "Highlights include {feats}.",
    "Key details: {feats}.",
    "Standout features: {feats}.",
    "Notable touches include {feats}.",
    "What sets it apart: {feats}.",
]

MATERIAL_LINES: list[str] = [
    "It is made from {material}.",
    "The {material} construction feels {madj} in hand.",
    "{Material} keeps it {madj} over time.",
    "Crafted in {material} for a {madj} finish.",
    "Quality {material} throughout.",
]

USE_LINES: list[str] = [
    "It works just as well for {use}.",
    "Great for {use} and {use2}.",
    "Owners say it shines during {use}.",
    "A smart choice for {use}.",
    "Equally happy with {use} or {use2}.",
]

COLOR_LINES: list[str] = [
    "Available in {colors}.",
    "Choose from {colors}.",
    "Comes in {colors}.",
    "Pick your shade: {colors}.",
]

AUDIENCE_PHRASES = {"unisex": "everyone", "kids": "kids", "toddlers": "little ones", "teens": "teens"}

AUDIENCE_LINES: list[str] = [
    "Made with {audience} in mind.",
    "Designed for {audience}.",
    "A thoughtful pick for {audience}.",
]


@dataclass(frozen=True)
class DescriptionFacts:
    title: str
    brand: str
    category: str
    noun: str  # singular product type
    features: tuple[str, ...]
    material: str | None
    colors: tuple[str, ...]
    audience: str | None
    noun_key: str = ""  # the product type, for per-type phrases


def _join(items: list[str] | tuple[str, ...]) -> str:
    items = list(items)
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def noun_phrase(noun: str) -> str:
    """What follows "a" for this singular: "knife", "pair of jeans", "bag of coffee beans"."""
    if noun in UNITS:
        return f"{UNITS[noun]} {noun}"
    if noun.endswith("s") and not noun.endswith("ss"):
        return f"pair of {noun}"
    return noun


def _fix_articles(text: str) -> str:
    return re.sub(r"\b([Aa]) (?=[aeiouAEIOU])(?!one|uni|use|eu)", lambda m: m.group(1) + "n ", text)


def _fill(rng: random.Random, template: str, facts: DescriptionFacts, uses: list[str]) -> str:
    """Fill a template; ``uses`` is this description's shuffled use list, consumed so none repeats."""
    use, use2 = uses[0], uses[1]
    if "{use" in template:
        uses[:] = uses[2:] + uses[:2]
    material = facts.material or ""
    return template.format(
        title=facts.title, brand=facts.brand, noun=noun_phrase(facts.noun), adj=rng.choice(ADJECTIVES[facts.category]),
        madj=rng.choice(MATERIAL_ADJECTIVES),
        use=use, use2=use2, feats=_join(facts.features), material=material,
        Material=material[:1].upper() + material[1:], colors=_join(facts.colors), audience=AUDIENCE_PHRASES.get(facts.audience or "", facts.audience or ""),
    )


def describe(rng: random.Random, facts: DescriptionFacts) -> str:
    """Compose a 3-5 sentence description; every call draws fresh templates and phrases."""
    optional: list[list[str]] = [USE_LINES, [CARE_MARK], PROMISES]
    if facts.features:
        optional.append(FEATURE_LINES)
    if facts.material:
        optional.append(MATERIAL_LINES)
    if facts.colors:
        optional.append(COLOR_LINES)
    if facts.audience:
        optional.append(AUDIENCE_LINES)
    pool = TYPE_USES.get(facts.noun_key, USES[facts.category])
    uses = rng.sample(pool, len(pool))
    opener = _fill(rng, rng.choice(OPENERS), facts, uses)
    opener_sentences = len(re.findall(r"[.?!](?= |$)", opener))
    n_more = rng.randint(2, min(5 - opener_sentences, len(optional)))
    chosen = rng.sample(optional, n_more)
    sentences = [opener]
    for slot in chosen:
        template = rng.choice(slot)
        if template == CARE_MARK:
            sentences.append(rng.choice(TYPE_CARE.get(facts.noun_key, []) + CARE[facts.category]))
        else:
            sentences.append(_fill(rng, template, facts, uses))
    return _fix_articles(" ".join(s[:1].upper() + s[1:] for s in sentences))

