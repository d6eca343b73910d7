"""Per-stage latency summaries (p50/p95/mean), shared by analytics and replay reports."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class StageLatency:
    stage: str
    n: int
    p50_ms: float
    p95_ms: float
    mean_ms: float


def stage_latencies(samples: Iterable[tuple[str, list[float]]]) -> tuple[StageLatency, ...]:
    """One StageLatency per (stage, milliseconds) pair with at least one sample, in the given order."""
    return tuple(StageLatency(stage, len(v), float(np.percentile(v, 50)), float(np.percentile(v, 95)), float(np.mean(v)))
                 for stage, v in samples if v)
