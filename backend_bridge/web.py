"""Small helpers shared by the bridge's front doors (portal views and the JSON API)."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from django.conf import settings
from wagtail.models import Site


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    networks = _networks(tuple(getattr(settings, "TRUSTED_PROXIES", ()) or ()))
    return any(ip.version == net.version and ip in net for net in networks)


def client_ip(request) -> str:
    """The citizen's address. X-Forwarded-For counts only when the request comes from a trusted
    proxy (``TRUSTED_PROXIES``), and then its right-most address that is not a trusted proxy is
    the client: whatever a client writes into the header itself stays to the left of it."""
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote[:45]
    chain = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    chain = [part for part in chain if part]
    for address in reversed(chain):
        if not _trusted(address):
            return address[:45]
    return (chain[0] if chain else remote)[:45]


def portal_for_request(request):
    """The portal (sites.Portal) whose host the request came to, or None."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    return getattr(site, "portal", None)
