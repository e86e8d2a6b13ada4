"""Limits kept in the Django cache: requests per client address, concurrent jobs per scope.

With REDIS_URL set the cache is Redis, so every web and worker process counts together;
without it each process counts for itself (the embedded, single-process setup, where tasks
run inside the request anyway). A fixed window is crude but costs two cache round trips,
which is the point for endpoints that must stay cheap.
"""

import contextlib
import ipaddress
import time
import uuid
from dataclasses import dataclass

from django.core.cache import cache

from claims.client_ip import client_ip


def address_key(request) -> str:
    """The client's address as a counter key; IPv6 by its /64, which one client usually holds
    whole (counting single IPv6 addresses would let it pick a fresh one per request).
    """
    address = client_ip(request) or "unknown"
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6 and ip.ipv4_mapped is None:
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def over_limit(request, scope: str, *, limit: int, window: int = 60) -> int:
    """Count this request. Once the address made more than `limit` requests in the current
    window of `window` seconds, return the seconds until the window ends; else 0.
    """
    if limit <= 0:
        return 0
    now = time.time()
    slot = int(now // window)
    key = f"rate:{scope}:{address_key(request)}:{slot}"
    try:
        cache.add(key, 0, timeout=window + 1)
        count = cache.incr(key)
    except Exception:  # the cache is down or the key just expired: never refuse for that
        return 0
    if count <= limit:
        return 0
    return max(1, int((slot + 1) * window - now))


@dataclass(frozen=True)
class Slot:
    """One of a scope's places for concurrent work, held until `release()` or its expiry."""

    key: str | None  # None: the cache was unreachable and nothing is counted
    token: str

    def release(self) -> None:
        if self.key is None:
            return
        with contextlib.suppress(Exception):
            # Only our own: after an expiry someone else may hold this place now.
            if cache.get(self.key) == self.token:
                cache.delete(self.key)


def take_slot(scope: str, *, limit: int, hold_seconds: int) -> Slot | None:
    """One of `limit` places for `scope`, or None while all are taken.

    Each place is a key of its own that expires after `hold_seconds`, so a worker killed
    while holding one frees it by then instead of shrinking the scope's share for good.
    """
    token = uuid.uuid4().hex
    for place in range(limit):
        key = f"slot:{scope}:{place}"
        try:
            if cache.add(key, token, timeout=hold_seconds):
                return Slot(key, token)
        except Exception:  # no cache, no broker either: nothing to share out
            return Slot(None, token)
    return None
