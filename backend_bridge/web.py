"""Small helpers shared by the bridge's front doors (portal views and the JSON API)."""

from __future__ import annotations

from django.conf import settings
from wagtail.models import Site


def client_ip(request) -> str:
    """The citizen's address; behind the trusted proxy, the first X-Forwarded-For entry."""
    if settings.SECURE_PROXY_SSL_HEADER:  # BEHIND_PROXY: nginx sets X-Forwarded-For
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded:
            return forwarded.split(",")[0].strip()[:45]
    return request.META.get("REMOTE_ADDR", "")[:45]


def portal_for_request(request):
    """The portal (sites.Portal) whose host the request came to, or None."""
    site = Site.find_for_request(request)
    if site is None:
        return None
    return getattr(site, "portal", None)
