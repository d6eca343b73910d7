"""QueryNER -> shopbot entity mapping, its place in `shopbot train nlu`, and the shipped model on real queries."""

import argparse
import json

import pytest

from assistant.records import ENTITY_TYPES
from tests.conftest import shared_dataset
from training.nlu.data import check_example
from training.nlu.queryner import (
    SLOT_MAP, QueryNerError, evaluate, map_span, mapped_bio, read_rows, to_example, training_split,
)


def _bio(query: str, labels: str) -> list[str]:
    return mapped_bio(query.split(), labels.split())


def test_every_slot_maps_to_a_shopbot_type_or_o():
    assert set(SLOT_MAP) >= {"core_product_type", "creator", "color", "material", "department", "modifier",
                             "UoM", "content", "product_name", "condition", "price", "quantity"}
    assert {v for v in SLOT_MAP.values() if v} <= set(ENTITY_TYPES)


def test_core_slots():
    assert _bio("white duvet cover queen", "B-color B-core_product_type I-core_product_type B-UoM") == [
        "B-COLOR", "B-PRODUCT_TYPE", "I-PRODUCT_TYPE", "B-SIZE"]
    assert _bio("under armour leather boots", "B-creator I-creator B-material B-core_product_type") == [
        "B-BRAND", "I-BRAND", "B-MATERIAL", "B-PRODUCT_TYPE"]


def test_department_is_audience_only_for_people_words_and_without_for():
    assert _bio("socks for women", "B-core_product_type B-department I-department") == ["B-PRODUCT_TYPE", "O", "B-AUDIENCE"]
    assert _bio("baby girl dress", "B-department I-department B-core_product_type") == ["B-AUDIENCE", "I-AUDIENCE", "B-PRODUCT_TYPE"]
    assert _bio("0-3 months onesie", "B-department I-department B-core_product_type") == ["O", "O", "B-PRODUCT_TYPE"]
    assert _bio("patio furniture", "B-department B-core_product_type") == ["O", "B-PRODUCT_TYPE"]


def test_negations_themes_and_device_names_are_o():
    assert _bio("tumbler without straw", "B-core_product_type B-condition I-condition") == ["B-PRODUCT_TYPE", "O", "O"]
    assert _bio("eminem iphone 6 case", "B-content B-product_name I-product_name B-core_product_type") == [
        "O", "O", "O", "B-PRODUCT_TYPE"]
    assert _bio("wireless outdoor speaker", "B-modifier B-modifier B-core_product_type") == [
        "B-FEATURE", "B-FEATURE", "B-PRODUCT_TYPE"]


def test_price_keeps_only_the_number_and_reads_the_bound():
    toks = "mug under $30".split()
    assert map_span(toks, 1, 3, "price").type == "PRICE_MAX" and map_span(toks, 1, 3, "price").start == 2
    assert map_span("mug over 30 dollars".split(), 1, 4, "price").type == "PRICE_MIN"
    assert map_span("cheap mug".split(), 0, 1, "price") is None
    assert map_span("shoes size 8".split(), 1, 3, "UoM").start == 2


def test_orphan_i_starts_a_span_and_examples_are_well_formed():
    assert _bio("red shoes", "I-color B-core_product_type") == ["B-COLOR", "B-PRODUCT_TYPE"]
    ex = to_example("white duvet cover for women".split(), "B-color B-core_product_type I-core_product_type B-department I-department".split())
    check_example(ex)
    assert ex.intent == "search_products" and ex.source == "queryner"
    assert [(ex.text[s:e], t) for s, e, t in ex.spans] == [("white", "COLOR"), ("duvet cover", "PRODUCT_TYPE"), ("women", "AUDIENCE")]


def test_bad_files_are_clear_errors(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text(json.dumps({"tokens": ["a", "b"], "labels": ["O"]}) + "\n")
    with pytest.raises(QueryNerError, match="q.jsonl:1"):
        read_rows(path)
    path.write_text(json.dumps({"tokens": ["a"], "labels": ["X-y"]}) + "\n")
    with pytest.raises(QueryNerError, match="q.jsonl:1: label 'X-y'"):
        read_rows(path)
    with pytest.raises(QueryNerError, match="no such file"):
        read_rows(tmp_path / "missing.jsonl")


def test_training_split_is_empty_without_the_data(tmp_path):
    split = training_split(tmp_path, seed=13)
    assert split.train == [] and split.dev == []


def test_training_data_includes_queryner_when_present():
    folder = shared_dataset("queryner")
    split = training_split(folder, seed=13, repeats=2)
    n_rows = len(read_rows(folder / "train.jsonl"))
    assert len(split.dev) == round(n_rows * 0.1)
    assert len(split.train) == 2 * (n_rows - len(split.dev))
    for ex in split.train[:500]:
        check_example(ex)
    assert sum(any(t == "PRODUCT_TYPE" for _, _, t in e.spans) for e in split.train) > 0.7 * len(split.train)


def test_train_cli_folds_queryner_in_unless_told_not_to():
    from training.nlu.cli import _queryner_train

    folder = shared_dataset("queryner")
    args = argparse.Namespace(no_queryner=False, queryner=folder, queryner_repeats=1, seed=13)
    assert len(_queryner_train(args).train) > 5000
    args.no_queryner = True
    assert _queryner_train(args).train == []


def test_train_cli_rejects_a_queryner_folder_without_train_jsonl(tmp_path):
    from training.nlu.cli import _queryner_train
    from assistant.errors import UserError

    args = argparse.Namespace(no_queryner=False, queryner=tmp_path, queryner_repeats=1, seed=13)
    with pytest.raises(UserError, match="no train.jsonl"):
        _queryner_train(args)


@pytest.mark.slow
def test_shipped_model_on_a_queryner_dev_sample():
    """The shipped model on 300 real dev queries (figures on the full dev split: bench/RESULTS.md)."""
    from assistant.nlu.parser import NluParser
    from assistant.settings import ARTIFACTS_DIR

    rows = read_rows(shared_dataset("queryner") / "dev.jsonl")[:300]
    fig = evaluate(NluParser.load(ARTIFACTS_DIR / "nlu"), rows)
    # on these 300: the model trained on generated data only scored PRODUCT_TYPE 0.548, core micro 0.506,
    # search_products 0.907; the shipped model 0.657 / 0.642 / 0.997
    assert fig["per_type"]["PRODUCT_TYPE"]["f1-score"] >= 0.62
    assert fig["core_micro"]["f1-score"] >= 0.6
    assert fig["search_intent_share"] >= 0.95


@pytest.mark.slow
def test_eval_cli_scores_a_queryner_folder_and_rejects_bad_files(tmp_path, capsys):
    from ui.cli.main import main

    rows = [("white duvet cover queen", "B-color B-core_product_type I-core_product_type B-UoM"),
            ("nike running shoes for men", "B-creator B-core_product_type I-core_product_type B-department I-department")]
    (tmp_path / "dev.jsonl").write_text("".join(json.dumps({"query": q, "tokens": q.split(), "labels": l.split()}) + "\n" for q, l in rows))
    assert main(["eval", "nlu", "--queryner", str(tmp_path), "--json"]) == 0
    fig = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert fig["n"] == 2 and fig["per_type"]["PRODUCT_TYPE"]["support"] == 2 and "core_micro" in fig
    (tmp_path / "bad.jsonl").write_text('{"tokens": ["a"], "labels": ["O", "O"]}\n')
    assert main(["eval", "nlu", "--queryner", str(tmp_path / "bad.jsonl")]) == 2
    assert "bad.jsonl:1" in capsys.readouterr().err


@pytest.mark.slow
def test_shipped_artifact_records_its_real_training_data_and_round_trips():
    from assistant.nlu.model import read_manifest
    from assistant.nlu.parser import NluParser
    from assistant.settings import ARTIFACTS_DIR

    manifest = read_manifest(ARTIFACTS_DIR / "nlu")
    assert manifest.details["data"]["queryner_train"] > 5000 and manifest.details["data"]["queryner_repeats"] >= 1
    queries = ["ua vital woven pants", "toddler water bottle without straw", "white duvet cover queen"]
    a, b = NluParser.load(ARTIFACTS_DIR / "nlu"), NluParser.load(ARTIFACTS_DIR / "nlu")
    assert a.parse_batch(queries) == b.parse_batch(queries) == [a.parse(q) for q in queries]
    assert all(p.intent == "search_products" for p in a.parse_batch(queries))
