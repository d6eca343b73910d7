"""Slot fillers for the NLU data generator: the catalog vocabulary plus deliberately out-of-catalog
brands, product types and attributes (so the model learns to tag by context), split into a training
pool and a held-out pool (the held-out part only ever appears in the test split).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

log = logging.getLogger(__name__)

EXTRA_TYPES = [
    "air fryer", "kayak", "standing desk", "gaming chair", "espresso machine", "robot vacuum", "tv", "television",
    "drone", "electric scooter", "winter coat", "rain boots", "swim trunks", "bikini", "yoga pants",
    "phone case", "iphone case", "camera", "tripod", "bike", "treadmill", "stroller", "car seat",
    "baby monitor", "sunglasses", "wine glasses", "dinner plates", "throw pillows", "bookcase", "nightstand",
    "dresser", "microwave", "vacuum cleaner", "cast iron skillet", "dutch oven", "hair straightener",
    "beanie", "gloves", "scarf", "tie", "belt", "polo shirt", "blazer", "soccer ball", "tennis racket",
    "golf clubs", "skateboard", "snowboard", "ski jacket", "fishing rod", "grill", "patio set", "hammock",
    "office desk", "gaming mouse", "webcam", "printer", "router", "smart speaker", "e-reader", "charger cable",
    "power bank", "flip flops", "high heels", "ankle boots", "cardigan", "pajamas", "swimsuit", "baseball cap",
    "rice cooker", "stand mixer", "food processor", "sofa bed", "bar stools", "area rug", "duvet cover",
    "shower curtain", "bath mat", "lunch box", "diaper bag", "crib", "video game", "headset", "sweatpants",
    "parka", "vest", "hiking socks", "running shorts", "sports bra", "tank top", "chinos", "sleeping pad",
    "headlamp", "cooler", "lantern", "air purifier", "humidifier", "space heater", "desk fan", "bed sheets",
    # home, garden, tools, decor, hobby: everyday nouns a shopper types bare ("velvet armchair", "wall clock")
    "armchair", "recliner", "loveseat", "ottoman", "sideboard", "coffee table", "console table", "wall clock",
    "mirror", "picture frame", "floor lamp", "ceiling fan", "curtains", "bean bag", "wardrobe", "shoe rack",
    "planter", "garden hose", "lawn mower", "bird feeder", "doormat", "umbrella", "candles", "vase", "wall art",
    "drill", "tool box", "ladder", "toilet brush", "mop", "ironing board", "kettle", "toaster", "blender",
    "cutting board", "knife set", "mixing bowls", "teapot", "water bottle", "pillow", "comforter", "mattress",
    "bunk bed", "high chair", "puzzle", "board game", "dollhouse", "guitar", "keyboard piano", "easel",
    "sewing machine", "yarn", "fire pit", "outdoor bench", "porch swing", "towel rack", "faucet", "shower head",
]

EXTRA_BRANDS = [
    "sony", "nike", "adidas", "apple", "samsung", "bose", "jbl", "le creuset", "lodge", "kitchenaid", "dyson",
    "patagonia", "the north face", "columbia", "levi's", "zara", "h&m", "uniqlo", "new balance", "asics",
    "hoka", "brooks", "salomon", "merrell", "timberland", "dr. martens", "converse", "vans", "puma",
    "under armour", "lululemon", "logitech", "razer", "dell", "hp", "lenovo", "asus", "anker", "garmin",
    "fitbit", "canon", "nikon", "gopro", "ikea", "casper", "yeti", "hydro flask", "stanley", "ninja",
    "cuisinart", "breville", "keurig", "nespresso", "vitamix", "oral-b", "philips", "braun", "gillette",
    "dove", "l'oreal", "maybelline", "clinique", "lego", "hasbro", "mattel", "fisher-price", "pandora",
    "fossil", "casio", "rolex", "michael kors", "coach", "kate spade", "samsonite", "osprey", "herschel",
    "fjallraven", "purina", "kong", "moleskine", "sharpie", "reebok", "skechers", "crocs", "ugg", "ray-ban",
    "microsoft", "lg", "xiaomi", "beats", "sennheiser", "keen", "arc'teryx", "carhartt", "champion",
]

EXTRA_COLORS = [
    "dark green", "maroon", "hot pink", "neon yellow", "light gray", "grey", "off white", "khaki", "lavender",
    "mint", "coral", "camo", "dark blue", "royal blue", "sky blue", "mustard", "rust", "ivory", "turquoise",
    "magenta", "lime green", "dark brown", "matte black", "baby pink", "sage green",
]

EXTRA_MATERIALS = [
    "silk", "gore-tex", "marble", "teak", "rattan", "porcelain", "carbon fiber", "suede leather", "corduroy",
    "bamboo fabric", "hemp", "acrylic", "spandex", "faux fur", "velour", "granite", "mahogany", "brass",
]

EXTRA_FEATURES = [
    "noise cancelling", "waterproof", "wireless", "non stick", "non-stick", "foldable", "adjustable",
    "rechargeable", "smart", "portable", "heated", "vegan", "organic", "gluten free", "anti slip",
    "water resistant", "scratch resistant", "shockproof", "energy efficient", "quiet", "cordless",
    "compact", "extra wide", "high waisted", "long lasting", "hands free", "touch screen", "4k",
    "sugar free", "unscented", "stackable", "ergonomic", "insulated", "eco friendly", "usb-c",
]

AUDIENCE_POST = [
    "men", "women", "kids", "adults", "teens", "toddlers", "my dad", "my mom", "my wife", "my husband",
    "my son", "my daughter", "a 6 year old", "a 10-year-old", "a 3 year old", "a toddler", "boys", "girls",
    "ladies", "my girlfriend", "my boyfriend", "a teenager", "my grandma", "my grandpa", "a newborn",
    "babies", "seniors", "my dog", "my cat", "dogs", "cats", "a 12 year old boy", "my sister", "my brother",
    "runners", "students", "toddler girls", "a two year old", "my nephew", "my niece", "her", "him",
]
AUDIENCE_PRE = [
    "men's", "women's", "kids'", "mens", "womens", "kids", "boys", "girls", "ladies", "unisex", "toddler",
    "baby", "teen", "children's", "youth", "adult", "dog", "cat",
]

SIZES_EXTRA = [
    "small", "medium", "large", "extra large", "xl", "xxl", "xs", "s", "m", "l", "10 wide", "queen", "king",
    "twin", "full", "55 inch", "65\"", "13 inch", "15.6 inch", "one size", "32x30", "34", "2t", "4t", "carry-on",
    "7.5", "8.5", "9.5", "10.5", "11.5", "12", "13", "6", "7", "8", "9", "10", "11", "44 eu", "uk 8",
]


# Train-only variety: the patterns behind unseen values ("<shade> <colour>", "faux <material>", "<x> free"),
# so the model tags by shape and context rather than by memorised names. None of these is ever a held-out
# test value (``load_fillers`` drops any that is).
COLOR_SHADES = ["dark", "light", "pale", "deep", "bright", "neon", "pastel", "dusty", "matte", "metallic", "glossy",
                "muted", "jet", "ice", "powder", "electric", "burnt", "soft", "warm"]
COLOR_BASES = ["black", "white", "gray", "blue", "green", "red", "pink", "purple", "yellow", "orange", "brown",
               "beige", "silver", "gold"]
MORE_COLORS = [
    "olive green", "emerald green", "hunter green", "navy blue", "cobalt blue", "baby blue", "powder blue",
    "wine red", "cherry red", "brick red", "blush pink", "dusty rose", "lilac", "plum", "mauve", "peach", "salmon",
    "apricot", "chocolate", "espresso", "caramel", "sand", "taupe", "slate", "graphite", "pearl", "champagne",
    "aqua", "indigo", "fuchsia", "cyan", "crimson", "scarlet", "amber", "ochre", "jade", "periwinkle", "lemon yellow",
]
MORE_MATERIALS = [
    "satin", "chiffon", "tweed", "flannel", "jersey", "lycra", "chenille", "sherpa", "microfiber", "faux leather",
    "faux suede", "genuine leather", "full grain leather", "nubuck", "patent leather", "birch", "maple",
    "cherry wood", "acacia", "cedar", "ash wood", "rosewood", "quartz", "terracotta", "stoneware", "wrought iron",
    "zinc alloy", "bone china", "crystal", "resin", "vinyl", "mohair", "alpaca wool", "lambswool", "twill", "poplin",
    "muslin", "faux sheepskin", "reclaimed wood", "solid oak", "tempered glass", "brushed steel",
]
MORE_FEATURES = [
    "lead free", "latex free", "dye free", "alcohol free", "dairy free", "nut free", "fade resistant",
    "rust resistant", "odor resistant", "heat resistant", "tear resistant", "impact resistant", "dust proof",
    "spill proof", "drop proof", "wrinkle free", "lint free", "bpa-free", "quick release",
]
_SYLLABLES = ["ka", "lo", "mi", "ra", "ven", "tor", "zu", "bel", "quin", "dra", "no", "vi", "sta", "mor", "lex",
              "ta", "rin", "ko", "sel", "fa", "gro", "pel", "xa", "dun", "ori", "ba", "mek", "sol", "tri", "ux"]
_BRAND_SUFFIXES = ["", "", "", "", " co", " labs", " works", " studio", " & sons", " home", " gear", " outdoor"]


def pseudo_brands(n: int = 150, seed: int = 5) -> list[str]:
    """Invented brand names ("kaveltor", "zubel labs"): brands no one has seen, tagged only by context."""
    import random

    rng = random.Random(seed)
    out: set[str] = set()
    while len(out) < n:
        name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3)))
        out.add(name + rng.choice(_BRAND_SUFFIXES))
    return sorted(out)


def shaded_colors(n: int = 80, seed: int = 5) -> list[str]:
    import random

    combos = sorted(f"{s} {b}" for s in COLOR_SHADES for b in COLOR_BASES)
    return random.Random(seed).sample(combos, n)


# real-world names a shopper types all the time: always in training (never only in the held-out pool)
PINNED_TRAIN = frozenset({
    "sony", "nike", "adidas", "apple", "samsung", "bose", "le creuset", "kitchenaid", "logitech", "dyson",
    "lego", "the north face", "levi's", "ikea", "air fryer", "kayak", "tv", "gloves", "dark green", "off white",
})


def _held_out(value: str, share: float) -> bool:
    if value in PINNED_TRAIN:
        return False
    h = int(hashlib.sha1(value.encode()).hexdigest()[:8], 16)
    return (h % 1000) / 1000 < share


@dataclass(frozen=True)
class Pool:
    """One slot's values: ``train`` (train/dev) and ``test`` (values seen only in the test split)."""

    train: tuple[str, ...]
    test: tuple[str, ...]

    @classmethod
    def split(cls, core: list[str], extra: list[str], share: float = 0.2) -> Pool:
        core_l = sorted({c.lower() for c in core})
        extra_l = sorted({e.lower() for e in extra} - set(core_l))
        test = tuple(e for e in extra_l if _held_out(e, share))
        train = tuple(core_l) + tuple(e for e in extra_l if e not in test)
        return cls(train=train, test=test or train)

    def with_train(self, extra: list[str]) -> Pool:
        """More training-only values (any that is a held-out test value is dropped)."""
        held = set(self.test)
        add = [e for e in dict.fromkeys(x.lower() for x in extra) if e not in held and e not in self.train]
        return Pool(train=self.train + tuple(add), test=self.test)


@dataclass(frozen=True)
class Fillers:
    types: Pool
    brands: Pool
    colors: Pool
    materials: Pool
    features: Pool
    audiences: Pool
    audience_pre: Pool
    sizes: Pool
    invented_brands: tuple[str, ...] = ()  # train-only made-up names: brand tagging by context
    famous_brands: tuple[str, ...] = ()  # the names shoppers type most ("nike", "sony"): always in training


def _catalog_vocab() -> dict[str, list[str]]:
    """The catalog vocabulary (retrieval.catalog.vocab) flattened."""
    from retrieval.catalog import vocab

    flat = lambda d: [x for vs in d.values() for x in vs]  # noqa: E731
    return {
        "types": flat(vocab.CATEGORIES),
        "brands": flat(vocab.BRANDS),
        "colors": list(vocab.COLORS),
        "materials": flat(vocab.MATERIALS) + flat(getattr(vocab, "TYPE_MATERIALS", {})),
        "features": flat(vocab.FEATURES),
        "sizes": flat(vocab.SIZES) + flat(getattr(vocab, "TYPE_SIZES", {})),
    }


def load_fillers() -> Fillers:
    cat = _catalog_vocab()
    brands = Pool.split(cat["brands"], EXTRA_BRANDS, 0.25)
    return Fillers(
        types=Pool.split(cat["types"], EXTRA_TYPES, 0.25),
        brands=brands,
        invented_brands=tuple(b for b in pseudo_brands() if b not in brands.test),
        famous_brands=tuple(sorted(b for b in PINNED_TRAIN if b in EXTRA_BRANDS)),
        colors=Pool.split(cat["colors"], EXTRA_COLORS).with_train(shaded_colors() + MORE_COLORS),
        materials=Pool.split(cat["materials"], EXTRA_MATERIALS).with_train(MORE_MATERIALS),
        features=Pool.split([f for f in cat["features"] if "+" not in f], EXTRA_FEATURES).with_train(MORE_FEATURES),
        audiences=Pool.split([], AUDIENCE_POST),
        audience_pre=Pool.split([], AUDIENCE_PRE, 0.1),
        sizes=Pool.split(cat["sizes"], SIZES_EXTRA, 0.1),
    )
