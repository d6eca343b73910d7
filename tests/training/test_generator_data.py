"""The writer's generated fact -> reply data and its CLI wiring (fast tier: no model)."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.records import Action
from assistant.writer.guard import Guard
from retrieval.catalog.vocab import all_brands
from training.generator.data import BUILDERS, build_cases, heldout_cases
from training.generator.evaluate import covers, required_mentions, summarise, CaseResult
from ui.cli.main import main


@pytest.fixture(scope="module")
def cases():
    return build_cases(600, seed=5, catalog_size=600)


def test_cases_are_seeded(cases):
    again = build_cases(600, seed=5, catalog_size=600)
    assert [c.reply for c in again] == [c.reply for c in cases]
    assert [c.reply for c in build_cases(50, seed=6, catalog_size=600)] != [c.reply for c in cases[:50]]


def test_every_scenario_and_most_actions_appear(cases):
    kinds = Counter(c.kind for c in cases)
    assert set(kinds) == {b.__name__ for b, _, _ in BUILDERS}
    actions = {c.facts.action for c in cases}
    assert actions >= set(Action) - {Action.COMPARE} or Action.COMPARE in actions


def test_targets_are_short_grounded_and_cover_the_facts(cases):
    guard = Guard(known_brands=all_brands())
    for c in cases:
        assert 0 < len(c.reply) < 500
        assert guard.check(c.reply, c.facts).passed, (c.kind, c.reply, guard.check(c.reply, c.facts).failures)
        assert covers(c.reply, c.facts), (c.kind, c.reply, required_mentions(c.facts))


def test_heldout_uses_unseen_products(cases):
    held = heldout_cases(80)
    train_titles = {p.title for c in cases for p in c.facts.products}
    held_titles = {p.title for c in held for p in c.facts.products}
    assert held_titles and len(held_titles - train_titles) > len(held_titles) // 2


def test_summary_rates():
    rs = [CaseResult("search", True, False, True, 1.0, (), "a"), CaseResult("search", False, True, False, 3.0, ("price",), "b")]
    s = summarise(rs)
    assert s["n"] == 2 and s["guard_pass_rate"] == 0.5 and s["fallback_rate"] == 0.5 and s["facts_covered_rate"] == 0.5
    assert s["failure_kinds"] == {"price": 1} and s["p50_reply_s"] == 2.0


def test_cli_rejects_bad_arguments_cleanly(capsys):
    assert main(["eval", "generator", "--n", "0"]) == 2
    assert "--n must be at least 1" in capsys.readouterr().err
    assert main(["train", "generator", "--tiny"]) == 2
    assert "--tiny needs --out" in capsys.readouterr().err
