"""Sequential model: the loss/score/score_all contract, learning a pattern, save/load round trip, the shop
pipeline (store -> dataset -> model -> run-time scorer) and the CLI's clear errors."""

from __future__ import annotations

import json
import math

import pytest
import torch

from assistant.artifact import ArtifactError
from assistant.sequential import SASRec, SeqRecConfig, load_model, save_model
from assistant.sequential.scorer import SequentialScorer
from assistant.sequential.store import item_attribute_table
from training.sequential.data import SeqDataset, leave_one_out, left_pad
from training.sequential.evaluate import full_rank_metrics
from training.sequential.train import TrainConfig, scorer, train

TINY = {"hidden": 16, "layers": 1, "heads": 2, "max_len": 8, "dropout": 0.1}


def cyclic_dataset(n_items=12, users=60) -> SeqDataset:
    """Each user walks the items in a cycle from a random start: the next item is always predictable."""
    g = torch.Generator().manual_seed(0)
    seqs = []
    for _ in range(users):
        start = int(torch.randint(0, n_items, (1,), generator=g))
        seqs.append(tuple((start + j) % n_items + 1 for j in range(7)))
    attrs = tuple((1 + (i % 3),) for i in range(n_items))
    return SeqDataset(tuple(seqs), tuple(f"I{i}" for i in range(1, n_items + 1)), attrs, 3)


@pytest.fixture(scope="module")
def trained():
    torch.set_num_threads(1)
    data = cyclic_dataset()
    result = train(data, TrainConfig(epochs=40, batch_size=16, lr=5e-3, eval_every=10, patience=5, max_attributes=1), TINY)
    return data, result


def test_contract_shapes_and_padding():
    m = SASRec(SeqRecConfig(num_items=10, **TINY)).eval()
    seq = left_pad([(1, 2, 3), (4,)], 8)
    assert seq.tolist() == [[1, 2, 3], [0, 0, 4]]
    assert m.score_all(seq).shape == (2, 11) and torch.isinf(m.score_all(seq)[:, 0]).all()
    items = torch.tensor([[5, 6], [7, 8]])
    assert torch.allclose(m.score(seq, items), m.score_all(seq).gather(1, items), atol=1e-5)
    loss = m.loss((seq, left_pad([(2, 3, 4), (5,)], 8)))
    sampled = m.loss((seq, left_pad([(2, 3, 4), (5,)], 8), torch.tensor([6, 7, 8])))
    assert loss.ndim == 0 and torch.isfinite(loss) and torch.isfinite(sampled)


def test_learns_a_predictable_sequence(trained):
    data, result = trained
    split = leave_one_out(data.sequences)
    m = full_rank_metrics(scorer(result.model), split.test_inputs, split.test_targets, ks=(1, 5))
    assert m["HR@1"] > 0.8  # random would be ~1/12


def test_round_trip_same_scores(trained, tmp_path):
    data, result = trained
    save_model(result.model, tmp_path / "seq", data.item_ids, metrics={"HR@10": 0.5}, training_data_hash="abc",
               details={"note": "tiny"})
    manifest = json.loads((tmp_path / "seq" / "manifest.json").read_text())
    assert manifest["name"] == "sequential" and manifest["config"]["num_attributes"] == 3
    assert manifest["files"] == ["model.safetensors"] and manifest["training_data_hash"] == "abc"
    loaded = load_model(tmp_path / "seq")
    seq = left_pad([(1, 2, 3), (5, 6)], 8)
    assert torch.equal(loaded.model.score_all(seq), result.model.score_all(seq))
    assert loaded.item_ids == data.item_ids and loaded.manifest.details["note"] == "tiny"
    assert loaded.manifest.metrics == {"HR@10": 0.5}


def test_runtime_scorer_ranks_the_true_next_item_first(trained, tmp_path):
    data, result = trained
    save_model(result.model, tmp_path / "seq", data.item_ids)
    s = SequentialScorer.load_if_built(tmp_path / "seq")
    scores = s.scores(["I3", "I4", "I5"], ["I9", "I6", "unknown", "I1"])
    assert scores[1] == 1.0 and scores[2] == 0.0 and scores.min() >= 0.0
    assert (s.scores([], ["I1"]) == 0).all()


def test_missing_or_foreign_model_dir_is_a_clear_error(tmp_path):
    with pytest.raises(ArtifactError, match="no sequential model"):
        load_model(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"type": "nlu", "version": 1}))
    with pytest.raises(ArtifactError, match="not a shopbot-artifact manifest"):
        load_model(tmp_path)
    assert SequentialScorer.load_if_built(tmp_path / "nothing") is None


def test_attribute_table_and_metrics_helpers():
    table = item_attribute_table([[1, 2, 3], [], [4]], 2)
    assert table.tolist() == [[0, 0], [1, 2], [0, 0], [4, 0]]
    # items 1..40 score 40..1; the targets rank 1st, 2nd (item 1, in the history, is excluded) and 31st
    fixed = torch.cat([torch.zeros(1), torch.arange(40, 0, -1).float()])
    m = full_rank_metrics(lambda seqs: fixed.repeat(len(seqs), 1), [(5,), (1,), (2,)], [1, 3, 33], ks=(10,))
    assert m["HR@10"] == pytest.approx(2 / 3) and m["NDCG@10"] == pytest.approx((1 + 1 / 1.5849625) / 3, rel=1e-4)
    flat = torch.ones(1, 41)  # every item ties: the target takes the middle of the 39 candidates (place 19)
    m = full_rank_metrics(lambda seqs: flat.repeat(len(seqs), 1), [(5,)], [1], ks=(10, 20))
    assert m["HR@10"] == 0.0 and m["HR@20"] == 1.0 and m["NDCG@20"] == pytest.approx(1 / math.log2(21))


def test_shop_pipeline_from_the_store(settings, catalog):
    from assistant.db import make_engine
    from assistant.interactions import InteractionStore
    from training.sequential.shop import shop_dataset, train_shop_model
    from training.users import generate_users, simulate_histories

    store = InteractionStore(make_engine(settings.db_url))
    users = generate_users(catalog, 40, seed=1)
    store.log_many(simulate_histories(users, catalog, seed=1))
    data = shop_dataset(store, catalog)
    assert data.num_items == len(catalog) and data.num_attributes > 10 and len(data.sequences) > 20
    out = settings.models_dir / "sequential"
    train_shop_model(store, catalog, out, TrainConfig(epochs=2, batch_size=32, eval_every=0, max_attributes=3))
    s = SequentialScorer.load_if_built(out)
    assert s is not None and s.scores([catalog[0].id], [catalog[1].id, catalog[2].id]).max() == 1.0

    # the run-time policy built from settings picks the model up: a user with history gets a sequential part
    from assistant.ranking.policy import RankingPolicy
    from retrieval.records import Hit

    policy = RankingPolicy.from_settings(settings, interactions=store)
    policy.remember(catalog)
    assert policy.sequential is not None
    cands = policy.rank(users[3].user_id, [Hit(p, 0.5) for p in catalog[:60]], k=5)
    assert any(dict(c.breakdown.parts)["sequential"] > 0 for c in cands)
    assert all(abs(c.score - c.breakdown.total) < 1e-12 for c in cands)


def test_cli_reports_an_empty_store_clearly(settings, capsys):
    from ui.cli.main import main

    code = main(["--data-dir", str(settings.data_dir), "train", "sequential"])
    assert code == 2 and "error" in capsys.readouterr().err
