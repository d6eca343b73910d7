"""`shopbot index`, `shopbot search` and `shopbot build` through the real CLI entry point."""

from __future__ import annotations

import re
from dataclasses import replace


from retrieval.catalog.io import save_catalog
from retrieval.records import SearchFilters

ID = re.compile(r"\bP\d{5}\b")


def test_index_then_filtered_search_prints_a_table(cli, settings, catalog, capsys):
    products = catalog[:80]
    save_catalog(products, settings.catalog_path)
    assert cli("index", "--no-progress") == 0
    assert "80 added, 0 updated, 0 deleted, 0 unchanged" in capsys.readouterr().out

    assert cli("index", "--no-progress") == 0
    assert "0 added, 0 updated, 0 deleted, 80 unchanged" in capsys.readouterr().out

    brand = products[0].brand
    top = max(p.price for p in products if p.brand == brand)
    assert cli("search", "something nice", "--brand", brand.upper(), "--max-price", str(top), "-k", "50") == 0
    out = capsys.readouterr().out
    expected = {p.id for p in products if SearchFilters(brands=(brand,), max_price=top).matches(p)}
    shown = set(ID.findall(out))
    assert shown == expected and "result(s) for 'something nice'" in out

    in_stock_black = SearchFilters(colors=("black",), in_stock=True, min_price=10)
    assert cli("search", "", "--color", "Black", "--in-stock", "--min-price", "10", "-k", "5") == 0
    shown = ID.findall(capsys.readouterr().out)
    by_id = {p.id: p for p in products}
    assert shown and len(shown) <= 5 and all(in_stock_black.matches(by_id[i]) for i in shown)


def test_search_bad_input_is_one_clear_line(cli, settings, catalog, capsys):
    assert cli("search", "boots") == 2
    assert "index is empty" in capsys.readouterr().err
    assert cli("search", "boots", "--min-price", "50", "--max-price", "10") == 2
    err = capsys.readouterr().err
    assert "--min-price is above --max-price" in err and "Traceback" not in err
    assert cli("search", "boots", "-k", "0") == 2


def test_index_refuses_a_bad_catalog_naming_file_and_line(cli, settings, catalog, capsys, tmp_path):
    bad = tmp_path / "bad.jsonl"
    save_catalog(catalog[:3], bad)
    lines = bad.read_text().splitlines()
    lines[1] = lines[1].replace(f'"price": {catalog[1].price}', '"price": -5')
    bad.write_text("\n".join(lines) + "\n")
    assert cli("index", "--catalog", str(bad), "--no-progress") == 2
    err = capsys.readouterr().err
    assert "bad.jsonl:2" in err and "Traceback" not in err
    assert cli("index", "--catalog", str(tmp_path / "missing.jsonl")) == 2
    assert "catalog file not found" in capsys.readouterr().err


def test_build_is_idempotent_and_reindexes_a_changed_catalog(cli, settings, monkeypatch, capsys):
    monkeypatch.setenv("SHOPBOT_CATALOG_SIZE", "40")
    monkeypatch.setenv("SHOPBOT_SEED", "7")  # the session catalog's seed: its vectors are memoised
    assert cli("build", "--only", "catalog", "--only", "index") == 0
    assert settings.catalog_path.is_file()
    from ui.cli.index import open_index

    index = open_index(settings)
    assert index.count() == 40

    calls = []
    original = type(index).upsert
    monkeypatch.setattr(type(index), "upsert", lambda self, *a, **k: calls.append(1))
    assert cli("build", "--only", "catalog", "--only", "index") == 0  # nothing missing: no re-index
    assert calls == []
    monkeypatch.setattr(type(index), "upsert", original)

    from retrieval.catalog.io import load_catalog

    products = load_catalog(settings.catalog_path)
    products[0] = replace(products[0], price=products[0].price + 1)
    save_catalog(products, settings.catalog_path)
    from ui.cli.build import build_index

    build_index(settings)
    assert open_index(settings).get([products[0].id])[0].price == products[0].price
    assert cli("build", "--only", "nope") == 2
