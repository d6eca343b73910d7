"""Off-policy estimates on a synthetic log with known propensities and a known click model."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from assistant.analytics.offpolicy import estimate
from assistant.analytics.target_policy import LoggedSlate, ReweightedPolicy, plackett_luce_marginals
from assistant.settings import RankerWeights
from bench.offpolicy_sim import simulate

LOGGING = RankerWeights()
BETTER = RankerWeights(relevance=2.5, affinity=1.6, popularity=0.0, exploration=0.0)
WORSE = RankerWeights(relevance=0.0, affinity=0.0, popularity=1.0, exploration=1.5)


@pytest.fixture(scope="module")
def log():
    return simulate(2500, seed=3, logging=LOGGING, targets={"better": BETTER, "worse": WORSE})


def test_plackett_luce_marginals_are_doubly_stochastic_and_match_sampling():
    scores = np.array([0.9, 0.2, 0.5, 0.1, 0.7, 0.3, 0.05, 0.4])  # 8 items: the sampled path
    exact = plackett_luce_marginals(scores[:6], 0.3)
    assert np.allclose(exact.sum(axis=0), 1) and np.allclose(exact.sum(axis=1), 1)
    assert exact[0, 0] > exact[1, 0]
    sampled = plackett_luce_marginals(scores, 0.3)
    assert np.allclose(sampled.sum(axis=0), 1) and sampled[0, 0] > sampled[6, 0]


def test_logging_policy_estimate_matches_its_observed_reward(log):
    slates, truth = log
    report = estimate(slates, ReweightedPolicy(LOGGING, LOGGING), LOGGING, name="logging", n_boot=300, seed=1)
    observed = report.observed.value
    assert report.mean_weight == pytest.approx(1.0) and report.max_weight == pytest.approx(1.0)
    for e in (report.ips, report.snips, report.dr):
        assert e.contains(observed), (e, observed)
    assert report.observed.contains(truth["logging"])


def test_estimates_of_other_weightings_cover_their_true_values(log):
    slates, truth = log
    assert truth["worse"] < truth["logging"] - 0.02  # the target really differs, so the test can fail
    worse = estimate(slates, ReweightedPolicy(WORSE, LOGGING), LOGGING, name="worse", n_boot=300, seed=1)
    for e in (worse.ips, worse.snips, worse.dr):
        assert e.contains(truth["worse"]) and not e.contains(truth["logging"]), (e, truth)
    assert worse.effective_sample_size < worse.impressions
    better = estimate(slates, ReweightedPolicy(BETTER, LOGGING), LOGGING, name="better", n_boot=300, seed=1)
    for e in (better.ips, better.snips, better.dr):
        assert e.contains(truth["better"]), (e, truth["better"])


def test_within_slate_mode_equals_slot_propensities_when_the_slate_is_the_whole_pool(log):
    slates, truth = log
    logged = estimate(slates[:400], ReweightedPolicy(WORSE, LOGGING), LOGGING, n_boot=50, seed=2)
    within = estimate(slates[:400], ReweightedPolicy(WORSE, LOGGING), LOGGING, n_boot=50, seed=2,
                      behaviour=ReweightedPolicy(LOGGING, LOGGING))
    assert within.ips.value == pytest.approx(logged.ips.value) and within.dr.value == pytest.approx(logged.dr.value)
    # a top-k membership propensity (here: 1 for every shown item) is ignored in within-slate mode
    ones = [LoggedSlate(s.context_id, s.user_id, tuple(replace(i, propensity=1.0) for i in s.items), s.rewards)
            for s in slates[:400]]
    again = estimate(ones, ReweightedPolicy(WORSE, LOGGING), LOGGING, n_boot=50, seed=2,
                     behaviour=ReweightedPolicy(LOGGING, LOGGING))
    assert again.snips.value == pytest.approx(logged.snips.value)
