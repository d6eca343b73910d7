"""The Ray replay backend: N Ray actors, each with its own Assistant, running ``ReplayWorker.replay``.

Where it runs (``address``, ``shopbot replay --backend ray --address ...``):

* ``None``: in-process, a private local Ray started by ``ray.init()`` and shut down afterwards
  (or the cluster named by ``RAY_ADDRESS``, which Ray reads itself);
* ``"auto"``: the Ray cluster already running on this machine (``ray start --head``);
* ``HOST[:PORT]``: the cluster whose head is there (``ray://HOST:PORT`` for Ray Client works too).

The driver's ``sys.path`` is handed to the actors (``runtime_env`` ``PYTHONPATH``), so a factory that
lives outside the installed packages (a test stand-in, a script's module) imports on the workers of a
cluster started elsewhere on this machine. On a multi-machine cluster every node needs the project
installed and the data dir reachable (ui/replay/README.md).

Actors are capped at the cluster's CPUs (an actor holds one CPU; more would wait forever).
"""

from __future__ import annotations

import logging
import os
import socket
import sys
from collections.abc import Iterator

from ui.replay.record import TurnRecord
from ui.replay.transcripts import Conversation
from ui.replay.worker import ReplayWorker, WorkerConfig

log = logging.getLogger(__name__)


class RayUnavailable(RuntimeError):
    """Ray is not installed, or the cluster cannot be reached."""


def _reachable(address: str, timeout: float = 5.0) -> bool:
    """A TCP connect to a HOST:PORT head (Ray itself retries for minutes before giving up)."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        return True  # not host:port: let Ray parse and report it
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            return True
    except OSError:
        return False


def _bootstrap(address: str) -> str:
    """``auto`` -> the host:port of the cluster started on this machine (Ray's own lookup)."""
    if address != "auto":
        return address
    from ray._private.services import canonicalize_bootstrap_address

    try:
        return canonicalize_bootstrap_address("auto") or address
    except ConnectionError as exc:
        raise RayUnavailable(f"cannot start or reach Ray at auto: {exc}") from exc


def _init(ray, address: str | None) -> bool:
    """Connect or start Ray; True when this call did (so the caller shuts it down)."""
    if ray.is_initialized():
        return False
    env = {"PYTHONPATH": os.pathsep.join(p for p in sys.path if p), "TOKENIZERS_PARALLELISM": "false",
           "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    kwargs = {"log_to_driver": False, "runtime_env": {"env_vars": env}}
    if address is None:  # a new in-process cluster; never a stale /tmp/ray/ray_current_cluster left by another run
        address = "local"
        kwargs["include_dashboard"] = False
    elif not address.startswith("ray://") and not _reachable(_bootstrap(address)):
        raise RayUnavailable(f"cannot start or reach Ray at {address}: nothing listens there (ray start --head?)")
    try:
        ray.init(address=address, **kwargs)
    except (ConnectionError, RuntimeError, ValueError) as exc:
        raise RayUnavailable(f"cannot start or reach Ray at {address or 'a new local instance'}: {exc}") from exc
    return True


def run_on_ray(workers: int, cfg: WorkerConfig, todo: list[Conversation],
               address: str | None = None) -> Iterator[tuple[str, list[TurnRecord]]]:
    """(conversation key, its turn records) as the actors finish them (completion order)."""
    try:
        import ray
        from ray.util import ActorPool
    except ImportError:
        raise RayUnavailable("--backend ray needs Ray (`make install` installs it; or pip install ray)") from None
    started = _init(ray, address)
    try:
        cpus = max(1, int(ray.cluster_resources().get("CPU", 1)))
        n = max(1, min(workers, len(todo), cpus))
        if n < workers:
            log.info("ray: %d actor(s) (the cluster has %d CPU(s), %d conversation(s))", n, cpus, len(todo))
        actor_cls = ray.remote(num_cpus=1)(RayReplayer)
        actors = [actor_cls.remote(cfg) for _ in range(n)]
        try:
            yield from ActorPool(actors).map_unordered(lambda actor, conv: actor.replay.remote(conv), todo)
        finally:
            ray.get([a.close.remote() for a in actors])  # each worker removes its private data dir copy
    finally:
        if started:
            ray.shutdown()


class RayReplayer:
    """A Ray actor: one Assistant per actor, the same per-conversation function as the process pool."""

    def __init__(self, cfg: WorkerConfig) -> None:
        self.worker = ReplayWorker(cfg)

    def replay(self, conv: Conversation) -> tuple[str, list[TurnRecord]]:
        return conv.key, self.worker.replay(conv)

    def close(self) -> None:
        self.worker.close()
