"""Is the task queue reachable? Pages show a notice while it is not.

Checked at most every few seconds per process (a Redis PING with a short timeout), and
marked down at once when sending a task fails, so the notice appears on the very next page.
"""

import time

import redis
from django.conf import settings

CHECK_EVERY_SECONDS = 5.0

_state = {"checked_at": 0.0, "up": True}


def mark_down() -> None:
    _state.update(checked_at=time.monotonic(), up=False)


def queue_available() -> bool:
    """True without a broker (tasks run in-process) or when Redis answers a ping."""
    if not settings.REDIS_URL:
        return True
    now = time.monotonic()
    if now - _state["checked_at"] < CHECK_EVERY_SECONDS:
        return _state["up"]
    try:
        client = redis.Redis.from_url(
            settings.REDIS_URL, socket_connect_timeout=0.5, socket_timeout=0.5
        )
        up = bool(client.ping())
    except redis.RedisError:
        up = False
    _state.update(checked_at=now, up=up)
    return up
