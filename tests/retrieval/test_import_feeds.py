"""Feed presets (Shopify CSV, Merchant Center TSV), HTML to text, colour families, and the import CLI."""

from __future__ import annotations

from pathlib import Path

import pytest

from retrieval.catalog.colors import color_families, color_families_of
from retrieval.catalog.feeds import FeedFormatError, read_feed
from retrieval.catalog.html import html_to_text
from retrieval.catalog.io import CatalogError, load_catalog
from retrieval.product import Product, format_price
from retrieval.records import SearchFilters
from ui.cli.main import main

FIXTURES = Path(__file__).parent / "fixtures"
SHOPIFY = FIXTURES / "shopify_products.csv"
GMC = FIXTURES / "gmc_feed.tsv"


def _by_id(result) -> dict[str, Product]:
    return {p.id: p for p in result.products}


def test_shopify_variants_fold_into_one_product():
    result = read_feed(SHOPIFY, "shopify")
    products = _by_id(result)
    assert sorted(products) == ["ceramic-pour-over", "classic-crew-tee", "linen-tea-towel-set"]
    tee = products["classic-crew-tee"]
    assert tee.title == "Classic Crew Neck Tee" and tee.brand == "Northwind Apparel"
    assert tee.colors == ("Navy Blue", "Heather Grey") and tee.sizes == ("S", "M", "L")  # every variant, no repeats
    assert tee.price == 22.5 and tee.in_stock  # the lowest variant price; some variant has stock
    assert tee.category == "Apparel & Accessories" and tee.product_type == "t-shirt"
    assert tee.features == ("cotton", "summer", "basics")
    assert tee.description == "Our everyday tee in 100% combed cotton.\n- Pre-shrunk\n- Tagless neck label"
    assert tee.display_name  # derived at import
    dripper = products["ceramic-pour-over"]
    assert not dripper.in_stock and dripper.price == 32.5 and dripper.colors == ()  # "Default Title" is no colour
    assert "track()" not in dripper.description and "<" not in dripper.description
    towels = products["linen-tea-towel-set"]
    assert towels.price is None and towels.product_type == "kitchen linens"
    assert towels.colors == ("Charcoal", "Natural/Oat")


def test_shopify_bad_rows_name_their_line():
    result = read_feed(SHOPIFY, "shopify")
    lines = {e.line: e.message for e in result.errors}
    assert set(lines) == {10, 12, 13}
    assert "ghost-handle" in lines[10] and "before its product row" in lines[10]
    assert "Variant Price" in lines[12] and "'sixteen' is not a number" in lines[12]  # the variant's own line
    assert "duplicate product row for handle 'ceramic-pour-over' (first on line 7)" in lines[13]


def test_shopify_refuses_a_file_that_is_not_an_export(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("id,title,price\nA,B,1\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="not a Shopify product export: missing column"):
        read_feed(path, "shopify")


def test_gmc_feed():
    result = read_feed(GMC, "gmc")
    products = _by_id(result)
    assert sorted(products) == ["GMC-1001", "GMC-1002", "GMC-1003", "GMC-1004"]
    towels = products["GMC-1001"]
    assert (towels.price, towels.currency, towels.category, towels.product_type) == (18.99, "USD", "Home", "towels")
    assert towels.colors == ("Navy Blue/White",) and towels.color_families == ("blue", "white")
    assert towels.description == "Absorbent waffle-weave tea towels for everyday kitchen use."
    bottle = products["GMC-1002"]  # no product_type: the Google category's leaf
    assert bottle.product_type == "water bottles" and bottle.audience == "kids" and bottle.sizes == ("12 oz",)
    shoe = products["GMC-1003"]
    assert shoe.price is None and not shoe.in_stock and shoe.audience == "men" and shoe.material == "Mesh"
    throw = products["GMC-1004"]
    assert (throw.price, throw.currency, throw.in_stock) == (39.0, "EUR", True)  # sale price wins; preorder sells
    lines = {e.line: e.message for e in result.errors}
    assert "'cheap' is not like '19.99 USD'" in lines[6]
    assert "missing required field 'title'" in lines[7]
    assert "duplicate id 'GMC-1001' (first on line 2)" in lines[8]


def test_unknown_format_and_map_with_preset():
    with pytest.raises(FeedFormatError, match="unknown format 'amazon'"):
        read_feed(GMC, "amazon")
    with pytest.raises(FeedFormatError, match="--map cannot be combined"):
        read_feed(GMC, "gmc", {"id": "id"})


def test_html_to_text():
    assert html_to_text("<p>Soft &amp; warm</p><ul><li>Machine <b>washable</b></li><li>Unisex</li></ul>") == \
        "Soft & warm\n- Machine washable\n- Unisex"
    assert html_to_text("<style>p{color:red}</style>Plain<br/>text") == "Plain\ntext"
    assert html_to_text("  no   markup here ") == "no markup here"
    assert html_to_text(None) == ""
    assert html_to_text("<p>&lt;ul&gt;&lt;li&gt;Escaped twice&lt;/li&gt;&lt;/ul&gt;</p>") == "- Escaped twice"
    assert html_to_text("sizes < 5 &amp; up") == "sizes < 5 & up"


@pytest.mark.parametrize("color, families", [
    ("Navy Blue", ("blue",)), ("Charcoal", ("grey",)), ("Black/White", ("black", "white")),
    ("Navy Blue/White", ("blue", "white")), ("Rose Gold", ("gold", "pink")), ("Matte Black", ("black",)),
    ("Off-White", ("white", "beige")), ("Original Version", ("original version",)),
])
def test_color_families(color, families):
    assert color_families_of(color) == families


def test_color_filter_matches_by_family():
    def product(*colors):
        return Product(id="x", title="t", description="", category="", product_type="", brand="", price=None,
                       colors=colors)

    navy = product("Navy Blue/White")
    assert SearchFilters(colors=("blue",)).matches(navy) and SearchFilters(colors=("white",)).matches(navy)
    assert SearchFilters(colors=("royal blue",)).matches(navy)  # same family
    assert not SearchFilters(colors=("red",)).matches(navy)
    assert SearchFilters(colors=("tan",)).matches(product("Chestnut"))  # tan and chestnut are both brown
    assert SearchFilters(colors=("gray",)).matches(product("Charcoal"))
    assert not SearchFilters(colors=("black",)).matches(product())
    assert color_families(["Black", "black", "Jet Black"]) == ("black",)


def test_unpriced_product_never_passes_a_price_filter():
    p = Product(id="x", title="t", description="", category="", product_type="", brand="", price=None)
    assert SearchFilters().matches(p) and SearchFilters(colors=()).matches(p)
    assert not SearchFilters(max_price=1e9).matches(p) and not SearchFilters(min_price=0).matches(p)
    assert p.price_text == "price not listed" == format_price(None)
    assert format_price(19.5) == "$19.50" and format_price(5, "eur") == "5.00 EUR"


def test_cli_import_with_format_reports_unpriced_and_bad_rows(tmp_path, capsys):
    out = tmp_path / "gmc.jsonl"
    args = ["--data-dir", str(tmp_path / "d"), "catalog", "import", str(GMC), "--format", "gmc", "--out", str(out)]
    assert main(args) == 2  # bad rows refuse the import by default
    err = capsys.readouterr().err
    assert err.startswith("shopbot: error:") and f"{GMC}:6:" in err and "Traceback" not in err
    assert main(args + ["--skip-bad"]) == 0
    captured = capsys.readouterr()
    assert "imported 4 products" in captured.out and "(1 without a price, 3 bad rows skipped)" in captured.out
    assert f"bad row {GMC}:8: duplicate id" in captured.err
    products = load_catalog(out)
    assert [p.price for p in products if p.id == "GMC-1003"] == [None]  # round-trips through the JSONL
    assert all(p.display_name for p in products)


def test_cli_unknown_format_is_one_line(tmp_path, capsys):
    assert main(["catalog", "import", str(GMC), "--format", "amazon", "--out", str(tmp_path / "o.jsonl")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("shopbot: error: unknown format 'amazon'") and "Traceback" not in err


def test_generic_csv_missing_price_is_imported(tmp_path, capsys):
    src = tmp_path / "shop.csv"
    src.write_text("sku,name,cost\nA1,Boot,10\nA2,Shoe,\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    assert main(["catalog", "import", str(src), "--out", str(out), "--map", "sku=id", "--map", "name=title",
                 "--map", "cost=price"]) == 0
    assert "imported 2 products" in capsys.readouterr().out
    assert [p.price for p in load_catalog(out)] == [10.0, None]


def test_unpriced_product_is_shown_as_price_not_listed():
    from assistant.dialogue.products import compare_table
    from assistant.records import Action, Candidate, ReplyFacts, ScoreBreakdown
    from assistant.writer.guard import fact_amounts, grounding_text
    from assistant.writer.prompt import product_line
    from assistant.writer.template import template_reply
    from ui.cards import card_html

    kw = dict(description="", category="Home", product_type="throws", brand="Hearth")
    unpriced = Product(id="a", title="Wool Throw", price=None, **kw)
    priced = Product(id="b", title="Cotton Throw", price=20.0, **kw)
    assert "| Wool Throw | Hearth | price not listed |" in compare_table([unpriced, priced])
    assert product_line(1, unpriced) == "1. Wool Throw | price not listed"
    facts = ReplyFacts("search_products", Action.SEARCH, "throws", products=(unpriced, priced), notes=("Here are 2 throws.",))
    assert "Wool Throw (price not listed)" in template_reply(facts)
    assert fact_amounts(facts) == {20.0} and "price not listed" in grounding_text(facts)
    assert "price not listed" in card_html(Candidate(unpriced, 1.0, ScoreBreakdown((("relevance", 1.0),))))
