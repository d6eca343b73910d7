"""The vocabulary of the default catalog: categories, product types, brands, attributes, prices.

Everything is lowercase; product types are plural nouns ("running shoes", "coffee makers") and each
product type belongs to exactly one category (see ``TYPE_TO_CATEGORY``). Brand names are invented.

Exports (the agreed interface): ``CATEGORIES``, ``BRANDS``, ``COLORS``, ``MATERIALS``, ``FEATURES``,
``AUDIENCES``, ``SIZES``, ``PRICE_RANGES``, ``CONSUMABLE_TYPES``; plus helpers ``TYPE_TO_CATEGORY``,
``COLOR_PALETTES``, ``TYPE_SIZES``, ``CATEGORY_AUDIENCES``, ``features_for``, ``sizes_for``,
``materials_for``, ``brands_for``, ``colors_for``, ``audiences_for``, ``category_of``, ``all_brands``,
``singular``, ``NO_COLOR_TYPES``, ``EXCLUSIVE_FEATURES``.
"""

from __future__ import annotations

# category -> product types (lowercase plural)
CATEGORIES: dict[str, list[str]] = {
    "footwear": ["running shoes", "hiking boots", "sneakers", "sandals", "boots", "slippers", "loafers", "trail running shoes"],
    "clothing": ["jackets", "dresses", "shirts", "sweaters", "t-shirts", "jeans", "hoodies", "raincoats", "leggings", "shorts", "socks"],
    "bags": ["backpacks", "handbags", "duffel bags", "tote bags", "laptop bags", "wallets", "suitcases"],
    "electronics": ["headphones", "earbuds", "mice", "keyboards", "laptops", "smartwatches", "bluetooth speakers", "monitors", "phone chargers", "tablets"],
    "kitchen": ["coffee makers", "pans", "blenders", "water bottles", "knives", "kettles", "toasters", "cutting boards", "mugs", "coffee beans"],
    "home": ["lamps", "rugs", "bedding", "pillows", "towels", "candles", "curtains", "blankets"],
    "furniture": ["chairs", "sofas", "desks", "mattresses", "bookshelves", "coffee tables", "office chairs", "bed frames"],
    "beauty": ["moisturizer", "shampoo", "conditioner", "lipstick", "sunscreen", "face serum", "mascara", "perfume"],
    "personal care": ["toothbrushes", "razors", "electric toothbrushes", "toothpaste", "deodorant", "hair dryers", "body wash"],
    "sports & outdoors": ["tents", "yoga mats", "hiking backpacks", "sleeping bags", "dumbbells", "bike helmets", "camping stoves", "trekking poles"],
    "toys & games": ["board games", "building sets", "puzzles", "dolls", "action figures", "plush toys", "card games", "rc cars"],
    "jewelry & watches": ["watches", "necklaces", "earrings", "bracelets", "rings"],
    "pet supplies": ["dog food", "cat food", "dog beds", "pet toys", "leashes", "cat litter"],
    "office": ["notebooks", "pens", "desk lamps", "planners", "desk organizers", "printer paper"],
}

TYPE_TO_CATEGORY: dict[str, str] = {t: c for c, types in CATEGORIES.items() for t in types}

# category -> invented brand names (a brand may span 2-3 related categories)
BRANDS: dict[str, list[str]] = {
    "footwear": ["Trailblaze", "Stridewell", "Northpeak", "Pacefoot", "Urbanstep", "Solemate"],
    "clothing": ["Northpeak", "Loomline", "Threadcraft", "Maple & Moss", "Urbanstep", "Coastline Co"],
    "bags": ["Carryall", "Wanderpack", "Northpeak", "Satchel & Sons", "Voyagr"],
    "electronics": ["Sonique", "Voltix", "Pixelon", "Arcwave", "Keystone Labs", "Nimbus"],
    "kitchen": ["Brewhaus", "Copperleaf", "Kitchenary", "Hydrapeak", "Bladecraft", "Roastery Row"],
    "home": ["Hearthwood", "Lumina", "Softnest", "Cozyloom", "Maple & Moss"],
    "furniture": ["Oakline", "Restwell", "Hearthwood", "Nordform", "Sittwell"],
    "beauty": ["Glowleaf", "Purebloom", "Velvette", "Sunkissd", "Aurelle"],
    "personal care": ["Brightsmile", "Smoothedge", "Freshwell", "Purebloom", "Airluxe"],
    "sports & outdoors": ["Trailblaze", "Summitgear", "Zenflex", "Ironcore", "Campfire Co", "Ridgeline"],
    "toys & games": ["Playmakers", "Brickwise", "Tiny Tinkers", "Gamenight", "Puzzlecraft"],
    "jewelry & watches": ["Aurelle", "Timecraft", "Silverfern", "Lunara", "Chronos & Co"],
    "pet supplies": ["Pawsome", "Happytail", "Whiskerworks", "Barkley"],
    "office": ["Inkwell", "Paperfold", "Deskwise", "Lumina", "Notable"],
}

COLORS: list[str] = [
    "black", "white", "gray", "navy", "blue", "light blue", "red", "burgundy", "green", "olive",
    "forest green", "brown", "tan", "beige", "cream", "pink", "purple", "yellow", "orange",
    "silver", "gold", "rose gold", "teal", "charcoal", "stainless steel", "natural", "multicolor", "clear",
]

# category -> plausible colour palette (subset of COLORS)
COLOR_PALETTES: dict[str, list[str]] = {
    "footwear": ["black", "white", "gray", "navy", "blue", "red", "brown", "tan", "olive", "pink", "green", "charcoal"],
    "clothing": ["black", "white", "gray", "navy", "blue", "light blue", "red", "burgundy", "green", "olive", "beige", "cream", "pink", "purple", "yellow", "charcoal"],
    "bags": ["black", "gray", "navy", "brown", "tan", "olive", "red", "beige", "charcoal", "pink"],
    "electronics": ["black", "white", "silver", "gray", "navy", "rose gold", "blue", "charcoal"],
    "kitchen": ["black", "white", "stainless steel", "silver", "red", "cream", "teal", "charcoal", "natural"],
    "home": ["white", "cream", "beige", "gray", "charcoal", "navy", "blue", "green", "brown", "natural", "pink", "yellow"],
    "furniture": ["black", "white", "gray", "brown", "natural", "beige", "navy", "green", "charcoal", "cream"],
    "beauty": ["clear", "pink", "red", "burgundy", "natural", "white"],
    "personal care": ["white", "black", "blue", "gray", "pink", "silver", "clear"],
    "sports & outdoors": ["black", "gray", "blue", "green", "olive", "orange", "red", "purple", "teal", "charcoal"],
    "toys & games": ["multicolor", "red", "blue", "yellow", "green", "pink", "purple", "orange"],
    "jewelry & watches": ["gold", "silver", "rose gold", "black", "white"],
    "pet supplies": ["black", "brown", "gray", "blue", "red", "green", "natural", "multicolor"],
    "office": ["black", "white", "blue", "gray", "navy", "green", "pink", "natural"],
}

# category -> materials
MATERIALS: dict[str, list[str]] = {
    "footwear": ["leather", "suede", "mesh", "canvas", "synthetic", "rubber", "knit"],
    "clothing": ["cotton", "organic cotton", "wool", "merino wool", "polyester", "linen", "denim", "fleece", "nylon", "cashmere"],
    "bags": ["leather", "canvas", "nylon", "polyester", "recycled polyester", "vegan leather"],
    "electronics": ["plastic", "aluminum", "silicone", "glass"],
    "kitchen": ["stainless steel", "cast iron", "ceramic", "glass", "bamboo", "aluminum", "copper", "plastic"],
    "home": ["cotton", "linen", "wool", "jute", "ceramic", "glass", "soy wax", "polyester"],
    "furniture": ["oak", "walnut", "pine", "steel", "fabric", "leather", "velvet", "memory foam", "bamboo"],
    "beauty": [],
    "personal care": ["plastic", "bamboo", "stainless steel"],
    "sports & outdoors": ["nylon", "polyester", "aluminum", "rubber", "neoprene", "cast iron", "tpe", "down"],
    "toys & games": ["plastic", "wood", "cardboard", "plush fabric"],
    "jewelry & watches": ["sterling silver", "gold plated", "stainless steel", "titanium", "leather"],
    "pet supplies": ["nylon", "rubber", "polyester", "cotton"],
    "office": ["paper", "recycled paper", "plastic", "metal", "bamboo", "leather"],
}

# product types whose material list differs from their category default (or has none)
TYPE_MATERIALS: dict[str, list[str]] = {
    "dumbbells": ["cast iron", "rubber", "neoprene"],
    "yoga mats": ["tpe", "natural rubber", "cork", "pvc"],
    "sleeping bags": ["down", "synthetic fill", "polyester"],
    "knives": ["stainless steel", "carbon steel", "damascus steel"],
    "pans": ["cast iron", "stainless steel", "copper", "aluminum", "carbon steel"],
    "water bottles": ["stainless steel", "glass", "plastic"],
    "mugs": ["ceramic", "stainless steel", "glass"],
    "cutting boards": ["bamboo", "wood", "plastic"],
    "coffee beans": [], "dog food": [], "cat food": [], "cat litter": [], "toothpaste": [],
    "deodorant": [], "body wash": [], "printer paper": [], "socks": ["cotton", "merino wool", "polyester"],
    "mattresses": ["memory foam", "latex", "hybrid foam", "innerspring"],
    "candles": ["soy wax", "beeswax", "paraffin"],
    "laptops": ["aluminum", "plastic"],
    "rings": ["sterling silver", "gold plated", "titanium"],
    "watches": ["stainless steel", "titanium", "leather", "gold plated"],
    "bedding": ["cotton", "organic cotton", "linen", "bamboo viscose"], "pillows": ["memory foam", "down", "cotton"],
    "towels": ["cotton", "organic cotton", "bamboo viscose"], "curtains": ["linen", "cotton", "polyester", "velvet"],
    "blankets": ["wool", "cotton", "fleece", "cashmere"], "rugs": ["wool", "jute", "cotton", "polyester"],
    "lamps": ["ceramic", "glass", "brass", "wood", "metal"],
    "sofas": ["fabric", "leather", "velvet", "linen"], "chairs": ["oak", "walnut", "steel", "fabric", "rattan"],
    "office chairs": ["mesh", "leather", "fabric"], "desks": ["oak", "walnut", "pine", "steel", "bamboo"],
    "bookshelves": ["oak", "walnut", "pine", "steel"], "coffee tables": ["oak", "walnut", "glass", "marble"],
    "bed frames": ["oak", "pine", "steel", "upholstered fabric"],
    "coffee makers": ["stainless steel", "plastic", "glass"], "blenders": ["stainless steel", "plastic", "glass"],
    "kettles": ["stainless steel", "glass", "enamel"], "toasters": ["stainless steel", "plastic"],
    "board games": ["cardboard", "wood"], "card games": ["cardboard"], "puzzles": ["cardboard", "wood"],
    "plush toys": ["plush fabric"], "dolls": ["plastic", "fabric"], "rc cars": ["plastic"],
    "action figures": ["plastic"], "building sets": ["plastic", "wood"],
    "dog beds": ["polyester", "cotton", "memory foam"], "pet toys": ["rubber", "nylon", "rope"],
    "leashes": ["nylon", "leather", "rope"], "hair dryers": ["plastic"], "electric toothbrushes": ["plastic"],
    "tents": ["nylon", "polyester", "ripstop nylon"], "hiking backpacks": ["nylon", "ripstop nylon", "polyester"],
    "bike helmets": ["polycarbonate"], "camping stoves": ["aluminum", "stainless steel"],
    "trekking poles": ["aluminum", "carbon fiber"],
    "notebooks": ["paper", "recycled paper"], "pens": ["plastic", "metal", "bamboo"],
    "desk lamps": ["metal", "plastic", "wood"], "planners": ["paper", "leather"],
    "desk organizers": ["bamboo", "metal", "plastic"],
    "earbuds": ["plastic"], "headphones": ["plastic", "aluminum"], "mice": ["plastic"],
    "phone chargers": ["plastic"], "monitors": ["plastic", "aluminum"],
}

# category and product type -> feature phrases (type features are more specific)
FEATURES: dict[str, list[str]] = {
    # categories
    "footwear": ["lightweight", "breathable", "cushioned", "slip resistant", "vegan"],
    "clothing": ["machine washable", "breathable", "quick dry", "wrinkle resistant", "stretch fit"],
    "bags": ["water resistant", "multiple pockets", "lightweight", "vegan"],
    "electronics": ["energy efficient", "2 year warranty"],
    "kitchen": [],
    "home": ["eco friendly", "gift ready"],
    "furniture": ["easy assembly", "sturdy frame"],
    "beauty": ["vegan", "cruelty free", "paraben free", "dermatologist tested"],
    "personal care": ["travel friendly"],
    "sports & outdoors": ["durable"],
    "toys & games": ["educational", "non toxic", "for ages 3+", "family friendly"],
    "jewelry & watches": ["hypoallergenic", "gift box included", "tarnish resistant"],
    "pet supplies": ["pet safe"],
    "office": ["recycled", "eco friendly"],
    # product types
    "running shoes": ["responsive foam", "wide fit", "reflective details", "carbon plate"],
    "trail running shoes": ["waterproof", "grippy outsole", "rock plate", "gore-tex lining"],
    "hiking boots": ["waterproof", "ankle support", "vibram outsole", "insulated", "gore-tex lining"],
    "boots": ["waterproof", "insulated", "side zip", "lug sole"],
    "sneakers": ["memory foam insole", "slip on", "wide fit"],
    "sandals": ["adjustable straps", "arch support", "waterproof"],
    "jackets": ["waterproof", "insulated", "packable", "windproof", "hooded"],
    "raincoats": ["waterproof", "sealed seams", "hooded", "packable"],
    "hoodies": ["kangaroo pocket", "fleece lined"],
    "leggings": ["high waist", "squat proof", "side pockets"],
    "sweaters": ["crew neck", "v neck", "cable knit"],
    "backpacks": ["laptop sleeve", "water resistant", "anti theft pocket"],
    "laptop bags": ["laptop sleeve", "padded", "water resistant"],
    "suitcases": ["spinner wheels", "tsa lock", "expandable", "hard shell"],
    "headphones": ["noise cancelling", "wireless", "over ear", "foldable", "40 hour battery", "bluetooth"],
    "earbuds": ["noise cancelling", "wireless", "water resistant", "wireless charging case", "bluetooth", "long battery life"],
    "mice": ["wireless", "ergonomic", "silent clicks", "rechargeable"],
    "keyboards": ["mechanical", "wireless", "backlit", "low profile"],
    "laptops": ["16gb ram", "ssd storage", "touchscreen", "backlit keyboard", "lightweight"],
    "smartwatches": ["heart rate monitor", "gps", "water resistant", "sleep tracking"],
    "bluetooth speakers": ["waterproof", "portable", "360 sound"],
    "monitors": ["4k", "144hz", "adjustable stand", "usb-c"],
    "coffee makers": ["programmable", "thermal carafe", "built-in grinder", "single serve"],
    "pans": ["nonstick", "oven safe", "induction compatible", "pfas free", "dishwasher safe"],
    "blenders": ["high speed", "self cleaning", "personal cup", "dishwasher safe jar"],
    "water bottles": ["insulated", "leak proof", "keeps drinks cold 24 hours", "bpa free", "dishwasher safe"],
    "knives": ["full tang", "razor sharp", "ergonomic handle"],
    "kettles": ["temperature control", "auto shut off", "cordless"],
    "toasters": ["wide slots", "bagel setting", "removable crumb tray"],
    "cutting boards": ["juice groove", "reversible", "non slip feet"],
    "mugs": ["dishwasher safe", "microwave safe", "insulated"],
    "pillows": ["hypoallergenic", "machine washable", "adjustable loft"],
    "towels": ["quick dry", "extra absorbent", "machine washable"],
    "blankets": ["machine washable", "extra soft", "lightweight"],
    "curtains": ["blackout", "thermal insulated", "machine washable"],
    "candles": ["long burning", "natural scents", "hand poured"],
    "dog beds": ["orthopedic", "machine washable cover", "non slip bottom", "durable"],
    "pet toys": ["squeaky", "chew resistant", "interactive", "durable"],
    "leashes": ["reflective", "padded handle", "retractable", "durable"],
    "wallets": ["rfid blocking", "slim", "coin pocket"],
    "handbags": ["adjustable strap", "magnetic closure", "padded straps"],
    "tote bags": ["inner zip pocket", "reinforced handles"],
    "duffel bags": ["shoe compartment", "detachable strap", "padded straps"],
    "perfume": ["long lasting", "eau de parfum", "floral notes"],
    "mascara": ["waterproof", "lengthening", "volumizing"],
    "conditioner": ["sulfate free", "detangling", "fragrance free"],
    "face serum": ["vitamin c", "hyaluronic acid", "fragrance free"],
    "toothpaste": ["fluoride free", "whitening", "mint flavor"],
    "deodorant": ["aluminum free", "48 hour protection", "sensitive skin"],
    "body wash": ["sulfate free", "moisturizing", "sensitive skin"],
    "toothbrushes": ["soft bristles", "sensitive skin"],
    "camping stoves": ["compact", "piezo ignition", "fuel efficient"],
    "trekking poles": ["collapsible", "cork grips", "lightweight"],
    "desk lamps": ["dimmable", "usb charging port", "adjustable arm"],
    "desk organizers": ["stackable", "modular"],
    "phone chargers": ["fast charging", "usb-c", "foldable plug"],
    "tablets": ["long battery life", "stylus support", "usb-c charging"],
    "bluetooth speakers": ["waterproof", "portable", "360 sound", "bluetooth", "long battery life"],
    "mice": ["wireless", "ergonomic", "silent clicks", "rechargeable", "bluetooth"],
    "coffee beans": ["organic", "fair trade", "single origin", "whole bean"],
    "lamps": ["dimmable", "led", "touch control"],
    "rugs": ["non slip", "washable", "low pile"],
    "bedding": ["organic cotton", "breathable", "cooling", "hypoallergenic"],
    "chairs": ["stackable", "upholstered", "ergonomic"],
    "office chairs": ["ergonomic", "lumbar support", "adjustable armrests", "mesh back"],
    "sofas": ["stain resistant", "removable covers", "sleeper"],
    "desks": ["height adjustable", "cable management", "easy assembly"],
    "mattresses": ["cooling gel", "medium firm", "pressure relief", "100 night trial"],
    "moisturizer": ["spf 30", "hyaluronic acid", "oil free", "fragrance free"],
    "shampoo": ["sulfate free", "color safe", "for curly hair"],
    "sunscreen": ["spf 50", "water resistant", "reef safe", "mineral", "fragrance free"],
    "lipstick": ["long lasting", "matte", "hydrating"],
    "electric toothbrushes": ["rechargeable", "pressure sensor", "2 minute timer"],
    "razors": ["5 blade", "rechargeable", "wet and dry"],
    "hair dryers": ["ionic", "foldable", "diffuser included"],
    "tents": ["waterproof", "2 person", "4 person", "easy setup", "freestanding", "lightweight", "packable"],
    "yoga mats": ["non slip", "extra thick", "eco friendly", "carry strap"],
    "hiking backpacks": ["hydration compatible", "rain cover", "adjustable torso", "lightweight", "weather resistant"],
    "sleeping bags": ["3 season", "compressible", "rated to 20f", "packable", "lightweight"],
    "dumbbells": ["adjustable", "hex shape", "rubber coated"],
    "bike helmets": ["mips", "ventilated", "led light"],
    "board games": ["2-6 players", "strategy", "cooperative"],
    "building sets": ["stem", "500+ pieces", "compatible with major brands"],
    "puzzles": ["1000 pieces", "500 pieces", "glare free"],
    "watches": ["water resistant", "sapphire crystal", "automatic movement", "chronograph"],
    "dog food": ["grain free", "high protein", "real chicken"],
    "cat food": ["grain free", "high protein", "wet food"],
    "cat litter": ["clumping", "unscented", "low dust"],
    "notebooks": ["dotted pages", "lay flat", "100gsm paper"],
    "pens": ["quick dry ink", "fine tip", "refillable"],
    "printer paper": ["acid free paper", "bright white", "jam free"],
    "planners": ["undated", "refillable", "monthly tabs"],
}

AUDIENCES: list[str] = ["men", "women", "kids", "unisex", "adults", "teens", "toddlers", "dogs", "cats"]

# category -> audiences that make sense (empty: the product has no audience)
CATEGORY_AUDIENCES: dict[str, list[str]] = {
    "footwear": ["men", "women", "kids", "unisex"],
    "clothing": ["men", "women", "kids", "unisex"],
    "bags": ["unisex", "women", "men", "kids"],
    "jewelry & watches": ["women", "men", "unisex"],
    "toys & games": ["kids", "toddlers", "teens", "adults"],
    "beauty": ["women", "unisex", "men"],
    "personal care": ["unisex", "men", "women", "kids"],
    "sports & outdoors": ["unisex", "men", "women"],
}
TYPE_AUDIENCES: dict[str, list[str]] = {
    "dog food": ["dogs"], "dog beds": ["dogs"], "leashes": ["dogs"], "cat food": ["cats"], "cat litter": ["cats"],
    "pet toys": ["dogs", "cats"], "dresses": ["women", "kids"], "razors": ["men", "women"],
    "board games": ["adults", "kids", "teens"], "puzzles": ["adults", "kids"],
}

SHOE_SIZES_US: list[str] = ["5", "5.5", "6", "6.5", "7", "7.5", "8", "8.5", "9", "9.5", "10", "10.5", "11", "11.5", "12", "13"]
CLOTHING_SIZES: list[str] = ["XS", "S", "M", "L", "XL", "XXL"]

# category -> size values; empty for categories without sizes
SIZES: dict[str, list[str]] = {c: [] for c in CATEGORIES}
SIZES.update({"footwear": SHOE_SIZES_US, "clothing": CLOTHING_SIZES})

# product type -> size values, overriding the category (empty list = no sizes)
TYPE_SIZES: dict[str, list[str]] = {
    "socks": ["S", "M", "L", "XL"],
    "mattresses": ["twin", "full", "queen", "king"],
    "bed frames": ["twin", "full", "queen", "king"],
    "bedding": ["twin", "full", "queen", "king"],
    "rings": ["5", "6", "7", "8", "9", "10"],
    "dog beds": ["S", "M", "L", "XL"],
    "leashes": ["S", "M", "L"],
    "bike helmets": ["S", "M", "L"],
    "suitcases": ["carry-on", "medium", "large"],
}

# product type -> (min, max) price in USD
PRICE_RANGES: dict[str, tuple[float, float]] = {
    "running shoes": (49, 180), "hiking boots": (69, 260), "sneakers": (39, 160), "sandals": (19, 90),
    "boots": (59, 280), "slippers": (15, 70), "loafers": (49, 190), "trail running shoes": (69, 190),
    "jackets": (49, 350), "dresses": (25, 180), "shirts": (19, 90), "sweaters": (29, 180), "t-shirts": (9, 45),
    "jeans": (29, 140), "hoodies": (25, 95), "raincoats": (39, 220), "leggings": (19, 90), "shorts": (15, 65),
    "socks": (6, 28),
    "backpacks": (25, 180), "handbags": (35, 400), "duffel bags": (29, 160), "tote bags": (15, 120),
    "laptop bags": (29, 150), "wallets": (15, 120), "suitcases": (79, 450),
    "headphones": (29, 450), "earbuds": (19, 280), "mice": (12, 130), "keyboards": (25, 220),
    "laptops": (399, 2499), "smartwatches": (79, 499), "bluetooth speakers": (25, 300), "monitors": (129, 899),
    "phone chargers": (9, 60), "tablets": (149, 1099),
    "coffee makers": (29, 399), "pans": (19, 180), "blenders": (29, 450), "water bottles": (9, 49),
    "knives": (15, 250), "kettles": (19, 150), "toasters": (25, 180), "cutting boards": (12, 90),
    "mugs": (8, 40), "coffee beans": (9, 29),
    "lamps": (19, 250), "rugs": (39, 600), "bedding": (39, 300), "pillows": (15, 120), "towels": (12, 90),
    "candles": (8, 60), "curtains": (19, 150), "blankets": (25, 180),
    "chairs": (49, 450), "sofas": (399, 2999), "desks": (99, 899), "mattresses": (249, 1999),
    "bookshelves": (59, 499), "coffee tables": (79, 699), "office chairs": (99, 1199), "bed frames": (149, 1299),
    "moisturizer": (8, 75), "shampoo": (6, 40), "conditioner": (6, 40), "lipstick": (7, 45), "sunscreen": (8, 45),
    "face serum": (12, 95), "mascara": (7, 35), "perfume": (29, 180),
    "toothbrushes": (3, 15), "razors": (8, 90), "electric toothbrushes": (25, 250), "toothpaste": (3, 12),
    "deodorant": (4, 20), "hair dryers": (25, 400), "body wash": (5, 25),
    "tents": (59, 699), "yoga mats": (15, 120), "hiking backpacks": (59, 350), "sleeping bags": (39, 450),
    "dumbbells": (19, 400), "bike helmets": (29, 250), "camping stoves": (25, 180), "trekking poles": (25, 180),
    "board games": (15, 80), "building sets": (15, 200), "puzzles": (10, 45), "dolls": (12, 90),
    "action figures": (9, 60), "plush toys": (9, 50), "card games": (8, 35), "rc cars": (25, 250),
    "watches": (49, 1200), "necklaces": (19, 600), "earrings": (15, 400), "bracelets": (15, 450), "rings": (19, 800),
    "dog food": (15, 90), "cat food": (12, 70), "dog beds": (25, 180), "pet toys": (5, 35),
    "leashes": (10, 50), "cat litter": (10, 40),
    "notebooks": (5, 35), "pens": (3, 40), "desk lamps": (19, 150), "planners": (10, 45),
    "desk organizers": (12, 80), "printer paper": (8, 45),
}

# product types people buy again and again
CONSUMABLE_TYPES: frozenset[str] = frozenset({
    "moisturizer", "shampoo", "conditioner", "lipstick", "sunscreen", "face serum", "mascara", "perfume",
    "toothpaste", "deodorant", "body wash", "toothbrushes", "coffee beans", "dog food", "cat food",
    "cat litter", "printer paper", "socks", "candles",
})


def category_of(product_type: str) -> str:
    """Category of a product type; KeyError for an unknown type."""
    return TYPE_TO_CATEGORY[product_type.lower()]


def all_brands() -> list[str]:
    """Every brand once, in a stable order."""
    seen: dict[str, None] = {}
    for names in BRANDS.values():
        for name in names:
            seen.setdefault(name, None)
    return list(seen)


def brands_for(product_type: str) -> list[str]:
    return BRANDS[category_of(product_type)]


def colors_for(product_type: str) -> list[str]:
    return COLOR_PALETTES[category_of(product_type)]


def features_for(product_type: str) -> list[str]:
    """Type-specific features first, then the category's general ones (no duplicates)."""
    out = list(FEATURES.get(product_type, []))
    out += [f for f in FEATURES.get(category_of(product_type), []) if f not in out]
    return out


def sizes_for(product_type: str) -> list[str]:
    """Size values a product of this type may have; empty when the type has no sizes."""
    if product_type in TYPE_SIZES:
        return TYPE_SIZES[product_type]
    return SIZES[category_of(product_type)]


def materials_for(product_type: str) -> list[str]:
    if product_type in TYPE_MATERIALS:
        return TYPE_MATERIALS[product_type]
    return MATERIALS[category_of(product_type)]


def audiences_for(product_type: str) -> list[str]:
    """Audiences that make sense for the type; empty when it has none (a lamp is for no one in particular)."""
    if product_type in TYPE_AUDIENCES:
        return TYPE_AUDIENCES[product_type]
    return CATEGORY_AUDIENCES.get(category_of(product_type), [])


# product types sold without a colour choice (shampoo has no colour option)
NO_COLOR_TYPES: frozenset[str] = frozenset({
    "moisturizer", "shampoo", "conditioner", "sunscreen", "face serum", "perfume", "toothpaste", "deodorant",
    "body wash", "coffee beans", "dog food", "cat food", "cat litter", "printer paper", "board games",
    "card games", "puzzles", "building sets", "mattresses",
})

# features that contradict each other: a product gets at most one of each group
EXCLUSIVE_FEATURES: tuple[frozenset[str], ...] = (
    frozenset({"2 person", "4 person"}),
    frozenset({"1000 pieces", "500 pieces"}),
    frozenset({"crew neck", "v neck"}),
    frozenset({"spf 30", "spf 50"}),
    frozenset({"matte", "hydrating"}),
)

# feature -> materials it contradicts (no "vegan" leather boots, no "dishwasher safe" cast iron)
FEATURE_MATERIAL_CONFLICTS: dict[str, frozenset[str]] = {
    "vegan": frozenset({"leather", "suede", "wool", "merino wool", "down", "cashmere", "beeswax"}),
    "machine washable": frozenset({"cashmere", "leather", "suede", "down", "velvet"}),
    "dishwasher safe": frozenset({"cast iron", "copper", "wood", "bamboo", "carbon steel", "damascus steel"}),
    "nonstick": frozenset({"cast iron", "copper", "carbon steel"}),
}

# product types whose singular is not the plural minus "s" ("pairs" such as jeans stay plural)
SINGULAR: dict[str, str] = {
    "running shoes": "running shoes", "hiking boots": "hiking boots", "sneakers": "sneakers",
    "sandals": "sandals", "boots": "boots", "slippers": "slippers", "loafers": "loafers",
    "trail running shoes": "trail running shoes", "jeans": "jeans", "leggings": "leggings", "shorts": "shorts",
    "socks": "socks", "headphones": "headphones", "earbuds": "earbuds",
    "trekking poles": "trekking poles", "mice": "mouse", "knives": "knife", "bookshelves": "bookshelf",
    "hoodies": "hoodie", "dresses": "dress", "watches": "watch", "leashes": "leash", "smartwatches": "smartwatch",
    "curtains": "curtains", "towels": "towel set", "pens": "pen set", "coffee beans": "coffee beans",
    "bedding": "bedding set", "earrings": "earrings", "mattresses": "mattress", "toothbrushes": "toothbrush",
    "electric toothbrushes": "electric toothbrush", "dumbbells": "dumbbell set",
}


def singular(product_type: str) -> str:
    """The singular used in titles ("coffee makers" -> "coffee maker"); pairs keep their plural."""
    if product_type in SINGULAR:
        return SINGULAR[product_type]
    if product_type not in TYPE_TO_CATEGORY or not product_type.endswith("s"):
        return product_type
    return product_type[:-1]
