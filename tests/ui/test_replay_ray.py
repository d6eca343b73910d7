"""`--backend ray`: the same per-conversation function in Ray actors gives the same records as the process
pool, in-process (a private `ray.init()`) and on a local cluster the test starts (`ray start --head` on
127.0.0.1, stopped at the end) reached by `--address HOST:PORT` and `--address auto`. Ray is a dependency
(requirements.lock), so these tests run in `make test`."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.ui.replay_standin import write_catalog
from tests.ui.test_replay import SMALL, STANDIN, _write
from ui.replay.runner import ReplayError, ReplayOptions, run_replay
from ui.replay.transcripts import load_transcripts

# single-node Ray on loopback only (Ray otherwise swaps 127.0.0.1 for the machine's interface address; it reads
# this when imported, so it is set before the import), no usage reporting
RAY_ENV = {"RAY_USAGE_STATS_ENABLED": "0", "RAY_DISABLE_DOCKER_CPU_WARNING": "1", "RAY_ENABLE_UV_RUN_RUNTIME_ENV": "0",
           "RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0"}
for _key, _value in RAY_ENV.items():
    os.environ.setdefault(_key, _value)

import ray  # noqa: E402  (installed by `make install` from requirements.lock: a missing Ray fails, never skips)


def _strip(records):
    return [(r.key, r.turn_index, r.reply, r.intent, r.action, r.products, r.verdicts) for r in records]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def convs(tmp_path, settings):
    write_catalog(settings.catalog_path)
    return load_transcripts([_write(tmp_path / "s.jsonl", SMALL)]).conversations


@pytest.fixture
def pool_records(tmp_path, settings, convs):
    """The reference: the local process pool (2 spawned processes), same seed."""
    run = run_replay(convs, settings, ReplayOptions(out=tmp_path / "pool", factory=STANDIN, progress=False,
                                                    generate=False, workers=2))
    return _strip(run.records)


@pytest.fixture
def ray_cluster(tmp_path, monkeypatch):
    """`ray start --head --block` on loopback in its own process group; terminated (graceful) at the end."""
    port = _free_port()
    log = open(tmp_path / "ray-head.log", "wb")
    cmd = [str(Path(sys.executable).parent / "ray"), "start", "--head", "--block", "--node-ip-address", "127.0.0.1",
           "--port", str(port), "--num-cpus", "2", "--include-dashboard", "false", "--disable-usage-stats",
           "--object-store-memory", str(100 * 1024 * 1024)]  # default temp dir: `--address auto` finds it there
    proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=os.environ.copy())
    try:
        deadline = time.monotonic() + 90
        while not _listening(port):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"ray head did not start: {(tmp_path / 'ray-head.log').read_text()[-3000:]}")
            time.sleep(0.5)
        yield f"127.0.0.1:{port}"
    finally:
        proc.terminate()  # --block: SIGTERM stops every process of this head node
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        log.close()


def _listening(port: int) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex(("127.0.0.1", port)) == 0


@pytest.mark.slow
def test_in_process_ray_matches_the_process_pool(tmp_path, settings, convs, pool_records, monkeypatch):
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    on_ray = run_replay(convs, settings, ReplayOptions(out=tmp_path / "ray", factory=STANDIN, progress=False,
                                                       generate=False, backend="ray", workers=2))
    assert not ray.is_initialized()  # the runner started its own Ray and shut it down
    assert on_ray.replayed == 3 and _strip(on_ray.records) == pool_records


@pytest.mark.slow
def test_a_started_cluster_by_address_and_auto_matches_the_process_pool(tmp_path, settings, convs, pool_records,
                                                                        ray_cluster, monkeypatch):
    from ui.cli.main import main

    monkeypatch.setattr("ui.cli.replay.ASSISTANT_FACTORY", STANDIN)
    transcripts = _write(tmp_path / "cli.jsonl", SMALL)
    rc = main(["--data-dir", str(settings.data_dir), "replay", str(transcripts), "--backend", "ray", "--address", ray_cluster, "--workers", "2",
               "--no-generate", "--no-progress", "--out", str(tmp_path / "cli")])
    assert rc == 0 and not ray.is_initialized()
    report = json.loads((tmp_path / "cli" / "report.json").read_text())
    assert report["options"]["backend"] == "ray" and report["metrics"]["conversations"] == 3

    auto = run_replay(convs, settings, ReplayOptions(out=tmp_path / "auto", factory=STANDIN, progress=False,
                                                     generate=False, backend="ray", workers=3, ray_address="auto"))
    assert auto.replayed == 3 and _strip(auto.records) == pool_records
    assert not ray.is_initialized()


def test_an_unreachable_cluster_is_a_clear_error(tmp_path, settings, convs):
    with pytest.raises(ReplayError, match="cannot start or reach Ray at 127.0.0.1"):
        run_replay(convs, settings, ReplayOptions(out=tmp_path / "x", factory=STANDIN, progress=False, generate=False,
                                                  backend="ray", ray_address=f"127.0.0.1:{_free_port()}"))
