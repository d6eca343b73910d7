"""Compositional shopping queries (search_products): a lead-in, modifiers before the product type,
constraints after it in any order, e.g. "black nike running shoes for women under 80 bucks size 8"."""

from __future__ import annotations

from training.nlu.render import Piece, Renderer

LEADS = [
    "", "", "", "i need", "i want", "looking for", "im looking for", "i'm looking for", "show me", "find me",
    "search for", "do you have", "do u have", "got any", "any", "i'd like", "can you find", "can u show me",
    "where can i find", "need", "want", "searching for", "buy", "i wanna buy", "shopping for", "help me find",
    "hi, i need", "hey do you sell", "do you carry", "i am searching for", "show", "find", "get me",
    "i'm after", "i would like to buy", "in the market for", "need to buy", "where are your", "browse",
]
ARTICLES = ["", "", "", "a ", "some ", "a pair of ", "new ", "an "]
POST = [
    "for {aud}", "for {aud}", "under {pmax}", "less than {pmax}", "below {pmax}", "max {pmax}",
    "up to {pmax}", "over {pmin}", "at least {pmin}", "above {pmin}", "between {pmin} and {pmax}",
    "from {pmin} to {pmax}", "{pmin}-{pmax}", "in {color}", "in size {size}", "size {size}", "sz {size}",
    "made of {material}", "in {material}", "with {feature}", "that are {feature}", "by {brand}",
    "from {brand}", "budget {pmax}", "{pmax} or less", "{pmin} or more", "no more than {pmax}",
    "cheaper than {pmax}", "for under {pmax}", "around {pmax} max", "that is {feature}", "in {color} please",
    "for {aud} size {size}", "more than {pmin}", "within {pmax}", "priced under {pmax}", "in a {size}",
]
TAILS = ["", "", "", " please", " pls", " asap", " for my trip", " for winter", " for the office", " for running"]


BARE_SHARE = 0.2  # keyword queries as typed into a search box: "velvet armchair", "nike shoes 42"


def search_pieces(r: Renderer) -> list[Piece]:
    if r.rng.random() < BARE_SHARE:
        return bare_pieces(r)
    rng = r.rng
    pieces: list[Piece] = []
    lead = rng.choice(LEADS)
    if lead:
        pieces.append((lead + " ", None))
    if rng.random() < 0.06:
        pieces += r.slot("qty") + [(" ", None)]
    pre: list[list[Piece]] = []
    for name, p in (("feature", 0.2), ("color", 0.3), ("material", 0.12), ("brand", 0.35), ("aud_pre", 0.15)):
        if rng.random() < p:
            pre.append(r.slot(name))
    if rng.random() < 0.2:
        rng.shuffle(pre)
    article = rng.choice(ARTICLES) if not pre or rng.random() < 0.3 else ""
    if article:
        pieces.append((article, None))
    for slot in pre:
        pieces += slot + [(" ", None)]
    pieces += r.slot("ptype")
    n_post = rng.choices([0, 1, 2, 3, 4], weights=[2, 4, 3, 2, 1])[0]
    chosen, priced = [], False
    for tpl in rng.sample(POST, n_post):
        has_price = "{pm" in tpl
        if not (has_price and priced):
            chosen.append(tpl)
            priced = priced or has_price
    for tpl in chosen:
        sep = rng.choice([" ", " ", ", ", " and "]) if pieces[-1][0] != " " else ""
        pieces.append((sep, None))
        pieces += r.fill(tpl)
    tail = rng.choice(TAILS)
    if tail:
        pieces.append((tail, None))
    return pieces


def bare_pieces(r: Renderer) -> list[Piece]:
    """A keyword query with no lead-in or article: a modifier or two, the type, at most one constraint."""
    rng = r.rng
    pieces: list[Piece] = []
    for name, p in (("brand", 0.3), ("color", 0.25), ("material", 0.2), ("feature", 0.2)):
        if rng.random() < p:
            pieces += r.slot(name) + [(" ", None)]
    pieces += r.slot("ptype")
    if rng.random() < 0.3:
        pieces += [(" ", None)] + r.fill(rng.choice(["for {aud}", "under {pmax}", "size {size}", "{pmax}", "in {color}"]))
    return pieces
