"""Token-bucket rate limiting keyed by client IP or session (in memory, thread-safe, bounded), and the client
address behind trusted proxies. The buckets live per process: with N workers a client's budget is up to N times larger."""

from __future__ import annotations

import ipaddress
import math
import threading
import time
from collections import OrderedDict


class RateLimiter:
    """``burst`` tokens per key, refilled at ``per_second``; ``take`` returns 0 or the seconds to wait."""

    def __init__(self, per_second: float, burst: int, max_keys: int = 100_000, clock=time.monotonic):
        if per_second <= 0 or burst < 1:
            raise ValueError("rate limits need per_second > 0 and burst >= 1")
        self.per_second = per_second
        self.burst = burst
        self.max_keys = max_keys
        self._clock = clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # key -> (tokens, last time)
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        now = self._clock()
        with self._lock:
            tokens, last = self._buckets.pop(key, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.per_second)
            wait = 0.0
            if tokens >= 1.0:
                tokens -= 1.0
            else:
                wait = (1.0 - tokens) / self.per_second
            self._buckets[key] = (tokens, now)
            while len(self._buckets) > self.max_keys:
                self._buckets.popitem(last=False)
        return wait

    @staticmethod
    def retry_after(wait: float) -> str:
        return str(max(1, math.ceil(wait)))


def parse_networks(cidrs: list[str]) -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    """``settings.trusted_proxies`` as networks; a bad entry is a ValueError naming it."""
    networks = []
    for cidr in cidrs:
        try:
            networks.append(ipaddress.ip_network(cidr.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"trusted_proxies: {cidr!r} is not an IP address or CIDR") from exc
    return tuple(networks)


def _trusted(address: str, networks) -> bool:
    try:
        ip = ipaddress.ip_address(address.strip().strip("[]"))
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(peer: str, forwarded_for: list[str], networks) -> str:
    """The client a request comes from, for rate limits and logs.

    ``X-Forwarded-For`` is believed only when the direct ``peer`` is a trusted proxy; then the right-most
    address that is not itself a trusted proxy is the client (everything left of it was written by the client
    and can be forged). A malformed hop ends the walk at the last proxy that was trusted."""
    if not networks or not _trusted(peer, networks):
        return peer
    hops = [h.strip() for value in forwarded_for for h in value.split(",") if h.strip()]
    client = peer
    for hop in reversed(hops):
        try:
            ipaddress.ip_address(hop.strip("[]"))
        except ValueError:
            return client
        client = hop.strip("[]")
        if not _trusted(hop, networks):
            return client
    return client
