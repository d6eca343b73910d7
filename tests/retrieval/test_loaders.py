"""Catalog files: save/load round trips, column mapping, and every bad-input case naming file and line."""

from __future__ import annotations

import json

import pytest

from retrieval.catalog.generate import generate_catalog
from retrieval.catalog.io import CatalogError, load_catalog, read_catalog, save_catalog
from retrieval.product import Product


@pytest.fixture(scope="module")
def sample():
    return generate_catalog(150, seed=5)


@pytest.mark.parametrize("name", ["cat.jsonl", "cat.csv"])
def test_round_trip(tmp_path, sample, name):
    path = save_catalog(sample, tmp_path / name)
    assert load_catalog(path) == sample
    assert not list(tmp_path.glob(".*.tmp"))  # the atomic write left no temp file


def test_save_replaces_atomically(tmp_path, sample):
    path = tmp_path / "cat.jsonl"
    save_catalog(sample, path)
    save_catalog(sample[:10], path)
    assert load_catalog(path) == sample[:10]


def test_csv_with_mapping_and_list_fields(tmp_path):
    path = tmp_path / "shop.csv"
    path.write_text("sku,name,cost,colour,notes\nA-1,Trail Boot,$89.50,black|olive,x\nA-2,Mug,9,,y\n", encoding="utf-8")
    products = load_catalog(path, {"sku": "id", "name": "title", "cost": "price", "colour": "colors", "notes": "-"})
    assert products[0] == Product(id="A-1", title="Trail Boot", description="", category="", product_type="",
                                  brand="", price=89.5, colors=("black", "olive"))
    assert products[1].colors == () and products[1].price == 9.0


def test_jsonl_with_mapping(tmp_path):
    path = tmp_path / "shop.jsonl"
    rows = [{"sku": "B1", "name": "Lamp", "price": 20, "in_stock": False, "colors": ["white"]}, {}]
    path.write_text(json.dumps(rows[0]) + "\n\n", encoding="utf-8")
    (p,) = load_catalog(path, {"sku": "id", "name": "title"})
    assert p.id == "B1" and p.in_stock is False and p.colors == ("white",) and p.price == 20.0


def _error(path, **kw) -> CatalogError:
    with pytest.raises(CatalogError) as info:
        load_catalog(path, **kw)
    return info.value


CSV_HEADER = "id,title,price\n"
BAD_CSV_ROWS = {
    "negative price": ("A2,Shoe,-4\n", "negative price"),
    "non-numeric price": ("A2,Shoe,cheap\n", "not a number"),
    "missing required": (",Shoe,5\n", "missing required field 'id'"),
    "duplicate id": ("A1,Again,5\n", "duplicate id 'A1' (first on line 2)"),
    "too few values": ("A2,Shoe\n", "2 values for 3 columns"),
}


@pytest.mark.parametrize("case", sorted(BAD_CSV_ROWS))
def test_bad_csv_row_names_file_and_line(tmp_path, case):
    row, message = BAD_CSV_ROWS[case]
    path = tmp_path / "bad.csv"
    path.write_text(CSV_HEADER + "A1,Boot,10\n" + row + "A3,Sock,3\n", encoding="utf-8")
    err = _error(path)
    assert err.path == str(path) and err.line == 3 and message in str(err)
    assert f"{path}:3:" in str(err)
    good = load_catalog(path, skip_bad=True)  # --skip-bad keeps the good rows
    assert [p.id for p in good] == ["A1", "A3"]


def test_missing_price_is_not_a_bad_row(tmp_path):
    path = tmp_path / "unpriced.csv"
    path.write_text(CSV_HEADER + "A1,Boot,10\nA2,Shoe,\n", encoding="utf-8")
    assert [p.price for p in load_catalog(path)] == [10.0, None]  # "price not listed", imported


def test_non_utf8_bytes(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(CSV_HEADER.encode() + b"A1,Boot,10\nA2,Caf\xe9 mug,5\n")
    err = _error(path)
    assert err.line == 3 and "UTF-8" in str(err)
    assert [p.id for p in load_catalog(path, skip_bad=True)] == ["A1"]


def test_unknown_column_refused_unless_mapped_or_ignored(tmp_path):
    path = tmp_path / "extra.csv"
    path.write_text("id,title,price,colour\nA1,Boot,10,red\n", encoding="utf-8")
    err = _error(path)
    assert err.line == 1 and "colour" in str(err)
    assert _error(path, skip_bad=True).line == 1  # a schema problem is never skipped
    assert load_catalog(path, {"colour": "colors"})[0].colors == ("red",)
    assert load_catalog(path, ignore_unknown=True)[0].colors == ()


def test_bad_jsonl_lines(tmp_path):
    path = tmp_path / "bad.jsonl"
    lines = ['{"id": "A", "title": "t", "price": 3}', "{not json", '[1, 2]', '{"id": "B", "title": "t", "price": 3, "foo": 1}',
             '{"id": "C", "title": "t", "price": -1}', '{"id": "D", "title": "t", "price": 2, "rating": 9}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = read_catalog(path)
    assert [p.id for p in result.products] == ["A"]
    assert [e.line for e in result.errors] == [2, 3, 4, 5, 6]
    err = _error(path)
    assert err.total == 5 and f"{path}:2: invalid JSON" in str(err)


def test_file_level_errors(tmp_path):
    assert "file not found" in str(_error(tmp_path / "missing.jsonl"))
    (tmp_path / "x.txt").write_text("id\n")
    assert "unsupported file type" in str(_error(tmp_path / "x.txt"))
    (tmp_path / "empty.csv").write_text("")
    assert "empty" in str(_error(tmp_path / "empty.csv"))
    (tmp_path / "ok.csv").write_text(CSV_HEADER + "A,B,1\n")
    assert "unknown Product field" in str(_error(tmp_path / "ok.csv", mapping={"title": "name"}))


def test_error_list_is_capped(tmp_path):
    path = tmp_path / "many.csv"
    path.write_text(CSV_HEADER + "".join(f"A{i},T,-1\n" for i in range(50)), encoding="utf-8")
    err = _error(path)
    assert err.total == 50 and "and 30 more" in str(err) and str(err).count("negative price") == 20
