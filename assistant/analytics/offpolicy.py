"""Off-policy estimates (IPS, SNIPS, doubly robust) of a target ranking policy's click-through on logged slates.

Unit: one impression (a shown item in a slate). The value of a policy is its expected reward per impression
(reward = click / add-to-cart / purchase of that item in that session after it was shown). With logged
propensity mu (probability the logging policy put the item in its slot) and target probability pi for the same
item in the same slot, w = pi / mu and:
- IPS   = mean(w * r)
- SNIPS = sum(w * r) / sum(w)
- DR    = mean(q_pi + w * (r - q)) with q a ridge reward model on (raw score parts, slot) and
          q_pi = sum_b pi(b in slot) * q(b, slot) over the slate's items.
95% confidence intervals come from a percentile bootstrap over slates (a slate's impressions stay together).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from assistant.analytics.source import AnalyticsError
from assistant.analytics.target_policy import LoggedSlate, TargetPolicy, raw_features
from assistant.settings import RankerWeights

RIDGE = 1.0


@dataclass(frozen=True)
class Estimate:
    name: str
    value: float
    low: float
    high: float

    def contains(self, x: float) -> bool:
        return self.low <= x <= self.high


@dataclass(frozen=True)
class OffPolicyReport:
    target: str
    slates: int
    impressions: int
    observed: Estimate  # the logging policy's observed reward per impression
    ips: Estimate
    snips: Estimate
    dr: Estimate
    mean_weight: float
    max_weight: float
    effective_sample_size: float  # (sum w)^2 / sum w^2


@dataclass(frozen=True)
class _Flat:
    slate: np.ndarray  # slate index of each impression
    r: np.ndarray
    w: np.ndarray
    q: np.ndarray  # reward model at the logged (item, slot)
    q_pi: np.ndarray  # reward model averaged over the target's choice for that slot


def _features(slate: LoggedSlate, names: list[str], logging: RankerWeights, n_slots: int) -> np.ndarray:
    """Rows: (item, slot) pairs, item-major: [1, raw parts..., slot one-hot]."""
    n = len(slate.items)
    raws = [raw_features(item, logging) for item in slate.items]
    rows = []
    for i in range(n):
        base = [1.0] + [raws[i].get(name, 0.0) for name in names]
        for k in range(n):
            onehot = [0.0] * n_slots
            onehot[min(k, n_slots - 1)] = 1.0
            rows.append(base + onehot)
    return np.array(rows)


def _fit_reward_model(slates: list[LoggedSlate], logging: RankerWeights):
    names = sorted({name for s in slates for item in s.items for name, _ in item.parts})
    n_slots = max(len(s.items) for s in slates)
    feats = [_features(s, names, logging, n_slots) for s in slates]
    xs, ys = [], []
    for s, f in zip(slates, feats):
        n = len(s.items)
        for i in range(n):
            xs.append(f[i * n + i])
            ys.append(s.rewards[i])
    x, y = np.array(xs), np.array(ys)
    beta = np.linalg.solve(x.T @ x + RIDGE * np.eye(x.shape[1]), x.T @ y)
    return [np.clip(f @ beta, 0.0, 1.0) for f in feats]


def _flatten(slates: list[LoggedSlate], target: TargetPolicy, logging: RankerWeights,
             behaviour: TargetPolicy | None) -> _Flat:
    preds = _fit_reward_model(slates, logging)
    idx, r, w, q, q_pi = [], [], [], [], []
    for j, (s, pred) in enumerate(zip(slates, preds)):
        n = len(s.items)
        qmat = pred.reshape(n, n)  # [item, slot]
        pi = target.slot_probabilities(s)
        mu = s.propensities if behaviour is None else np.diag(behaviour.slot_probabilities(s))
        if np.any(mu <= 0):
            raise AnalyticsError(f"slate {s.context_id} has a non-positive logged propensity")
        for i in range(n):
            idx.append(j)
            r.append(s.rewards[i])
            w.append(pi[i, i] / mu[i])
            q.append(qmat[i, i])
            q_pi.append(float(pi[:, i] @ qmat[:, i]))
    return _Flat(np.array(idx), np.array(r, float), np.array(w, float), np.array(q, float), np.array(q_pi, float))


def _per_slate(flat: _Flat, n_slates: int) -> dict[str, np.ndarray]:
    def total(values: np.ndarray) -> np.ndarray:
        return np.bincount(flat.slate, weights=values, minlength=n_slates)

    return {"n": total(np.ones_like(flat.r)), "r": total(flat.r), "w": total(flat.w), "wr": total(flat.w * flat.r),
            "dr": total(flat.q_pi + flat.w * (flat.r - flat.q))}


def _values(s: dict[str, np.ndarray], counts: np.ndarray) -> dict[str, np.ndarray]:
    """Estimates for each row of ``counts`` (how often each slate was drawn)."""
    tot = {k: counts @ v for k, v in s.items()}
    with np.errstate(invalid="ignore", divide="ignore"):
        return {"observed": tot["r"] / tot["n"], "ips": tot["wr"] / tot["n"],
                "snips": np.where(tot["w"] > 0, tot["wr"] / tot["w"], 0.0), "dr": tot["dr"] / tot["n"]}


def _bootstrap(sums: dict[str, np.ndarray], n_slates: int, n_boot: int, seed: int, chunk: int = 50) -> dict[str, np.ndarray]:
    """Estimates on ``n_boot`` resamples of the slates (drawn ``chunk`` at a time to bound memory)."""
    rng = np.random.default_rng(seed)
    parts: list[dict[str, np.ndarray]] = []
    for start in range(0, n_boot, chunk):
        size = min(chunk, n_boot - start)
        counts = rng.multinomial(n_slates, np.full(n_slates, 1.0 / n_slates), size=size).astype(float)
        parts.append(_values(sums, counts))
    return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}


def estimate(slates: list[LoggedSlate], target: TargetPolicy, logging: RankerWeights, *, name: str = "target",
             behaviour: TargetPolicy | None = None, n_boot: int = 500, seed: int = 0,
             level: float = 0.95) -> OffPolicyReport:
    """IPS / SNIPS / DR estimates of ``target`` with percentile-bootstrap intervals over slates.

    ``behaviour=None``: the logged propensities are P(item in its slot) (exact slot propensities).
    ``behaviour=<policy>``: the logged propensities are not per slot (the RankingPolicy logs P(item in the
    top-k)); weights are then taken conditional on the shown set, P_target(i in slot | set) /
    P_behaviour(i in slot | set), with the logging ranker's within-set order modelled by ``behaviour`` (the
    ReweightedPolicy of the logging weights). The shared set-membership factor cancels under the limitation
    that a target only re-orders what was shown."""
    if n_boot < 1 or not 0 < level < 1:
        raise AnalyticsError(f"need n_boot >= 1 and 0 < level < 1 (got {n_boot}, {level})")
    slates = [s for s in slates if s.items]
    if not slates:
        raise AnalyticsError("no logged slates with propensities to evaluate")
    flat = _flatten(slates, target, logging, behaviour)
    sums = _per_slate(flat, len(slates))
    point = _values(sums, np.ones((1, len(slates))))
    boot = _bootstrap(sums, len(slates), n_boot, seed)
    lo_q, hi_q = 100 * (1 - level) / 2, 100 * (1 + level) / 2

    def est(key: str) -> Estimate:
        b = boot[key][np.isfinite(boot[key])]
        return Estimate(key, float(point[key][0]), float(np.percentile(b, lo_q)), float(np.percentile(b, hi_q)))

    ess = float(flat.w.sum() ** 2 / max((flat.w ** 2).sum(), 1e-12))
    return OffPolicyReport(name, len(slates), len(flat.r), est("observed"), est("ips"), est("snips"), est("dr"),
                           float(flat.w.mean()), float(flat.w.max()), ess)
