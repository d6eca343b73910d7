"""`shopbot catalog ...` run in-process: generate writes a loadable file; bad input is one clear line, exit 2."""

from __future__ import annotations

import pytest

from retrieval.catalog.generate import generate_catalog
from retrieval.catalog.importers import NotACatalogError, import_source
from retrieval.catalog.io import load_catalog
from ui.cli.main import main


def test_generate_writes_catalog(tmp_path, capsys):
    out = tmp_path / "cat.jsonl"
    assert main(["--data-dir", str(tmp_path / "d"), "catalog", "generate", "--n", "120", "--seed", "9", "--out", str(out)]) == 0
    assert load_catalog(out) == generate_catalog(120, seed=9)
    assert "wrote 120 products" in capsys.readouterr().out


def test_generate_defaults_to_settings_path(tmp_path):
    data = tmp_path / "d"
    assert main(["--data-dir", str(data), "catalog", "generate", "--n", "30"]) == 0
    assert len(load_catalog(data / "catalog.jsonl")) == 30


def test_import_refuses_bad_rows_with_one_line(tmp_path, capsys):
    src = tmp_path / "shop.csv"
    src.write_text("sku,name,cost\nA1,Boot,10\nA2,Shoe,-5\nA3,Sock,x\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    args = ["--data-dir", str(tmp_path / "d"), "catalog", "import", str(src), "--out", str(out),
            "--map", "sku=id", "--map", "name=title", "--map", "cost=price"]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith("shopbot: error:") and f"{src}:3: negative price" in err and "Traceback" not in err
    assert not out.exists()
    assert main(args + ["--skip-bad"]) == 0
    assert [p.id for p in load_catalog(out)] == ["A1"]
    captured = capsys.readouterr()
    assert f"bad row {src}:4:" in captured.err and "2 bad rows skipped" in captured.out


def test_import_unknown_column_and_bad_map(tmp_path, capsys):
    src = tmp_path / "shop.csv"
    src.write_text("id,title,price,colour\nA1,Boot,10,red\n", encoding="utf-8")
    assert main(["catalog", "import", str(src), "--out", str(tmp_path / "o.jsonl")]) == 2
    assert "unknown column(s) 'colour'" in capsys.readouterr().err
    assert main(["catalog", "import", str(src), "--out", str(tmp_path / "o.jsonl"), "--map", "colour"]) == 2
    assert "--map expects COLUMN=FIELD" in capsys.readouterr().err


def test_check_lists_problems(tmp_path, capsys):
    src = tmp_path / "shop.jsonl"
    src.write_text('{"id": "A", "title": "t", "price": 1}\n{"id": "A", "title": "t", "price": 1}\n', encoding="utf-8")
    assert main(["catalog", "check", str(src)]) == 1
    captured = capsys.readouterr()
    assert "duplicate id 'A'" in captured.err and "1 good products (0 without a price), 1 bad rows" in captured.out


def test_shared_datasets_are_not_catalogs(capsys):
    with pytest.raises(NotACatalogError, match="not a product catalog"):
        import_source("esci-judgments")
    assert main(["catalog", "import", "amazon-seq"]) == 2
    err = capsys.readouterr().err
    assert "export your store as CSV/JSONL" in err and "shopbot catalog import esci-shop" in err


def test_sources_names_esci_shop_as_a_catalog(capsys):
    assert main(["catalog", "sources"]) == 0
    out = capsys.readouterr().out
    assert "- esci-shop (" in out and "a catalog: `shopbot catalog import esci-shop` (--format esci)" in out
    assert "esci-judgments" in out and "not a catalog: no product text" in out


def test_index_command_reports_bad_catalog_in_one_line(tmp_path, capsys):
    src = tmp_path / "bad.jsonl"
    src.write_text('{"id": "A", "title": "t", "price": "free"}\n', encoding="utf-8")
    assert main(["--data-dir", str(tmp_path / "d"), "index", "--catalog", str(src)]) == 2
    err = capsys.readouterr().err
    assert f"{src}:1: price 'free' is not a number" in err and "Traceback" not in err
