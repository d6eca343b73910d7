"""Decoding token BIO tags into entity spans and values (no model)."""

from assistant.nlu.decode import decode_spans, to_entities


def _offsets(text, pieces):
    out, pos = [(0, 0)], 0
    for p in pieces:
        s = text.index(p, pos)
        out.append((s, s + len(p)))
        pos = s + len(p)
    return out + [(0, 0)]


def test_b_i_spans_and_word_widening():
    text = "black running shoes under 80 bucks"
    offs = _offsets(text, ["black", "run", "ning", "shoes", "under", "80", "bucks"])
    tags = ["O", "B-COLOR", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "I-PRODUCT_TYPE", "O", "B-PRICE_MAX", "I-PRICE_MAX", "O"]
    assert decode_spans(tags, offs, text) == [(0, 5, "COLOR"), (6, 19, "PRODUCT_TYPE"), (26, 34, "PRICE_MAX")]


def test_same_type_neighbours_are_joined_other_types_split():
    text = "sage green charger cable"
    offs = _offsets(text, ["sage", "green", "charge", "r", "cable"])
    tags = ["O", "B-COLOR", "B-COLOR", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "I-FEATURE", "O"]
    assert decode_spans(tags, offs, text) == [(0, 10, "COLOR"), (11, 18, "PRODUCT_TYPE"), (19, 24, "FEATURE")]


def test_words_with_inner_hyphen_or_apostrophe_stay_whole():
    text = "arc'teryx or fisher-price"
    offs = _offsets(text, ["arc", "'", "teryx", "or", "fisher", "-", "price"])
    tags = ["O", "B-BRAND", "I-BRAND", "B-MATERIAL", "O", "B-BRAND", "I-BRAND", "O", "O"]
    assert decode_spans(tags, offs, text) == [(0, 9, "BRAND"), (13, 25, "BRAND")]


def test_entities_values_and_price_bound_from_context():
    text = "shoes over $1,200 or max 80 bucks for Women's"
    spans = [(11, 17, "PRICE_MAX"), (25, 33, "PRICE_MIN"), (38, 45, "AUDIENCE")]
    ents = to_entities(text, spans)
    assert [(e.type, e.value) for e in ents] == [("PRICE_MIN", "1200"), ("PRICE_MAX", "80"), ("AUDIENCE", "women")]
    assert all(text[e.start:e.end] == e.text for e in ents)


def test_special_tokens_only_give_no_entities():
    assert decode_spans(["B-BRAND", "O"], [(0, 0), (0, 0)], "") == []


def test_currency_word_alone_joins_the_price_before_it():
    text = "between 60 and 120 dollars"
    ents = to_entities(text, [(8, 10, "PRICE_MIN"), (15, 18, "PRICE_MIN"), (19, 26, "PRICE_MAX")])
    assert [(e.type, e.text, e.value) for e in ents] == [("PRICE_MIN", "60", "60"), ("PRICE_MAX", "120 dollars", "120")]


def test_two_prices_joined_are_an_ordered_range():
    text = "boots betwen 50 and 90 bucks"
    spans = [(0, 5, "PRODUCT_TYPE"), (13, 15, "PRICE_MAX"), (20, 28, "PRICE_MAX")]
    ents = to_entities(text, spans)
    assert [(e.type, e.value) for e in ents] == [("PRODUCT_TYPE", "boots"), ("PRICE_MIN", "50"), ("PRICE_MAX", "90")]
    text = "lamps 80 to 30"
    ents = to_entities(text, [(6, 8, "PRICE_MIN"), (12, 14, "PRICE_MIN")])
    assert [(e.type, e.value) for e in ents] == [("PRICE_MAX", "80"), ("PRICE_MIN", "30")]
    text = "under 50, size 90"  # not joined by a range word: the model's tags stand
    ents = to_entities(text, [(6, 8, "PRICE_MAX"), (15, 17, "SIZE")])
    assert [(e.type, e.value) for e in ents] == [("PRICE_MAX", "50"), ("SIZE", "90")]
