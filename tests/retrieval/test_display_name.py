"""Display names for real seller titles (retrieval/catalog/display_name.py).

Fixed cases are real esci-shop titles (copied here so they run without the data); the whole-catalog
check reads ../shared/data/esci-shop/products.jsonl and skips without it.
"""

from __future__ import annotations

import json

import pytest

from retrieval.catalog.display_name import derive_display_name
from tests.conftest import shared_dataset

CASES = [
    ("UGG Women's Scuffette II Slipper, Black/Grey, 7 M US", "UGG", "Slippers", "UGG Scuffette II slipper"),
    ("Amazon Basics 1/2 Inch 3-Ring Binder, 4-Pack, White", "Amazon Basics", "Binders", "Amazon Basics 3-Ring binder"),
    ("Clarks Women's Cheyn Madi Loafer, Black Tumbled Leather, 8.5 W US", "Clarks", "Loafers & Slip-Ons",
     "Clarks Cheyn Madi loafer"),
    ("Garmin 010-01689-00 Forerunner 35; Easy-to-Use GPS Running Watch, Black", "Garmin", "Running GPS Units",
     "Garmin 010-01689-00 Forerunner 35"),
    ("Lacoste Men's Carnaby Sneaker, Ultra White/Navy/Red, 8 Medium US", "Lacoste", "Fashion Sneakers",
     "Lacoste Carnaby sneaker"),
    ("adidas Men's Adilette Shower Slides Black/White/White 11", "adidas", "Sport Sandals & Slides",
     "adidas Adilette Shower slides"),
    ("Cuisinart C55-12PMB Advantage 12 Piece Metallic Knife Set With Blade Guards, Black", "Cuisinart", "Knife Sets",
     "Cuisinart C55-12PMB Advantage Metallic knife set"),
    ("TRESemmé Expert Selection Shampoo, Keratin Smooth, 25 oz", "TRESemmé", "Shampoos",
     "TRESemmé Expert Selection shampoo"),
    ("Motion Sensor Ceiling Light Battery Operated,Yurnero 80 LED Ultra Bright", "Yurnero", "Close To Ceiling Lights",
     "Yurnero Motion Sensor Ceiling Light Battery Operated"),
    ("Duracell - CopperTop AA + AAA Alkaline Batteries Combo Pack, 20 Count Each - Long Lasting", "Duracell", "AA",
     "Duracell CopperTop AA AAA Alkaline Batteries Combo"),
    ("SOJOS 2 Pack Round Polarized Sunglasses for Women Fashion Trendy Style", "SOJOS", "", "SOJOS Round Polarized Sunglasses"),
    ("Calvin Klein Men's Non Iron Slim Fit Solid Point Collar Dress Shirt, Black, 15.5\" Neck 34\"-35\" Sleeve",
     "Calvin Klein", "Dress Shirts", "Calvin Klein Non Iron dress shirt"),
    ("Hamile Compatible with AirPods Case [Front LED Visible] Soft Silicone Protective Cases", "Hamile", "Cases",
     "Hamile AirPods case"),
    ("We Were the Lucky Ones: A Novel", "", "Genre Fiction", "We Were the Lucky Ones"),
    ("Hunter Fan 44 inch Contemporary Matte Black Indoor/Outdoor Ceiling Fan with Pull Chain (Renewed)",
     "Hunter Fan Company", "Ceiling Fans", "Hunter Fan Contemporary Matte Black Indoor/Outdoor ceiling fan"),
    ("Andongnywell Silver White Short Wigs with Bangs", "Generic", "Wigs", "Andongnywell Silver White Short wigs"),
    ("OurWarm 36ct 70mm Christmas Ball Ornaments Tree Decorations 6 Styles with Classic Red", "OurWarm",
     "Hanging Ornaments", "OurWarm Christmas Ball ornaments"),
]


@pytest.mark.parametrize("title,brand,ptype,expected", CASES, ids=[c[3] for c in CASES])
def test_display_name_of_real_titles(title, brand, ptype, expected):
    assert derive_display_name(title, brand, ptype) == expected


def test_never_empty_and_falls_back_to_the_title():
    assert derive_display_name("Untamed", "", "") == "Untamed"
    assert derive_display_name("", "Acme", "") == "Acme"


def test_every_esci_product_gets_a_short_name_that_keeps_its_brand():
    path = shared_dataset("esci-shop") / "products.jsonl"
    rows = [json.loads(line) for line in path.open(encoding="utf-8")]
    names = [(r, derive_display_name(r["title"], r["brand"] or "", (r["category"] or [""])[-1])) for r in rows]
    assert all(n.strip() for _, n in names)
    lengths = sorted(len(n) for _, n in names)
    assert lengths[int(0.95 * len(lengths))] <= 70  # p95 length
    assert sum(len(n) < len(r["title"]) for r, n in names) / len(names) > 0.8
    for r, n in names:
        assert not n.endswith((",", " -", "(")), n
        assert not any(tail in n for tail in (" M US", " W US", "Black/")), n
