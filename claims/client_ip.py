"""Who is trying to log in, as brute-force protection (django-axes) keys lock-outs: the client's
address and the user name typed."""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """REMOTE_ADDR, or behind N trusted proxies the Nth X-Forwarded-For entry from the right.

    Each proxy appends the address it received the request from, so the rightmost N entries
    were written by our proxies; anything to their left came from the client and is ignored,
    which means a forged header cannot dodge a lock-out.
    """
    count = settings.TRUSTED_PROXY_COUNT
    if count:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= count:
            try:
                return str(ipaddress.ip_address(hops[-count]))
            except ValueError:
                pass  # "unknown", a port, junk: not an address to key a lock-out on
    return request.META.get("REMOTE_ADDR")


# django-axes' column for the user name (AccessAttempt.username).
USERNAME_MAX_LENGTH = 255


def client_username(request, credentials=None) -> str | None:
    """The user name a log-in attempt is for, as django-axes records and counts it.

    Whatever was typed, it fits axes' column: a longer name (no account has one; ours stop
    at 150 characters) is cut, so it counts as a failed log-in like any wrong name instead of
    failing the request. NUL characters, which PostgreSQL cannot store, are dropped.
    """
    if credentials:
        username = credentials.get("username")
    else:
        username = getattr(request, "data", request.POST).get("username")
    if username is None:
        return None
    return str(username).replace("\x00", "")[:USERNAME_MAX_LENGTH]
