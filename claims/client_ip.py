"""The client's address, as brute-force protection (django-axes) keys lock-outs on it."""

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
