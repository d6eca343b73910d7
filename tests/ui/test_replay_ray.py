"""`--backend ray`: the same per-conversation function on a local Ray (started by the test); skipped when
Ray is not installed (it is optional: pip install ray)."""

from __future__ import annotations

import pytest

from tests.ui.replay_standin import write_catalog
from tests.ui.test_replay import SMALL, STANDIN, _write
from ui.replay.runner import ReplayOptions, run_replay
from ui.replay.transcripts import load_transcripts


@pytest.mark.slow
def test_ray_backend_matches_local(tmp_path, settings):
    ray = pytest.importorskip("ray", reason="Ray is optional (pip install ray)")
    write_catalog(settings.catalog_path)
    convs = load_transcripts([_write(tmp_path / "s.jsonl", SMALL)]).conversations
    local = run_replay(convs, settings, ReplayOptions(out=tmp_path / "local", factory=STANDIN, progress=False,
                                                      generate=False))
    # the runner starts a local Ray itself (ray.init) and shuts it down afterwards
    on_ray = run_replay(convs, settings, ReplayOptions(out=tmp_path / "ray", factory=STANDIN, progress=False,
                                                       generate=False, backend="ray", workers=2))
    assert not ray.is_initialized()
    strip = lambda recs: [(r.key, r.turn_index, r.reply, r.verdicts) for r in recs]  # noqa: E731
    assert on_ray.replayed == 3 and strip(on_ray.records) == strip(local.records)
