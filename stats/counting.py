"""Counting page views and visitors without trackers: no script, no cookie, no address stored.

The middleware sits outside the page cache, so cache hits count too, and does no I/O on the
request path: it appends (portal, day, path) and the visitor's (address, browser) to this process's
buffer. The buffer is written to the database in one short transaction every
``STATS_FLUSH_SECONDS`` or ``STATS_FLUSH_HITS`` hits, whichever comes first, and when the process
exits; a process that is killed loses at most that window. Addresses never leave memory: at flush
time each distinct (address, browser) pair becomes a keyed SM3 digest under the day's salt.

Pages that nginx sends from the static tree never reach this process; `stats_import_log` feeds
the same buffer from nginx's access log instead.
"""

from __future__ import annotations

import atexit
import logging
import secrets
import threading
import time
from collections import Counter
from datetime import date

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from backend_bridge.crypto import hmac_sm3
from backend_bridge.web import client_ip
from cms import page_cache

logger = logging.getLogger(__name__)

# Paths that are not pages a visitor reads (the page cache's exclusions plus a few more).
NOT_PAGES = page_cache.EXCLUDED_PREFIXES + ("/favicon.ico", "/robots.txt", "/sitemap.xml")
PATH_MAX = 500


def is_page_path(path: str) -> bool:
    return not path.startswith(NOT_PAGES)


class Buffer:
    """Counts held by one process until the next flush (thread-safe)."""

    def __init__(self):
        self.lock = threading.Lock()
        self.views: Counter = Counter()
        self.visitors: set = set()
        self.hits = 0
        self.last_flush = time.monotonic()

    def record(self, site_id: int, day: date, path: str, visitor: tuple) -> bool:
        """Add one view; True when the buffer is due to be flushed. ``visitor`` is what tells
        visitors apart, resolved to an address only at flush time (see ``visitor_of``)."""
        with self.lock:
            self.views[(site_id, day, path[:PATH_MAX])] += 1
            self.visitors.add((site_id, day, visitor))
            self.hits += 1
            return (
                self.hits >= settings.STATS_FLUSH_HITS
                or time.monotonic() - self.last_flush >= settings.STATS_FLUSH_SECONDS
            )

    def take(self) -> tuple[Counter, set]:
        with self.lock:
            views, visitors = self.views, self.visitors
            self.views, self.visitors, self.hits = Counter(), set(), 0
            self.last_flush = time.monotonic()
            return views, visitors


buffer = Buffer()


class _Today:
    """Today's local date, recomputed only when the clock passes the next local midnight."""

    def __init__(self):
        self.day, self.until = None, 0.0

    def __call__(self) -> date:
        now = time.time()
        if now >= self.until:
            local = timezone.localtime()
            self.day = local.date()
            midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
            self.until = midnight.timestamp() + 86400
        return self.day


today = _Today()


class _Meta:
    """Just enough of a request for ``client_ip``."""

    def __init__(self, remote: str, forwarded: str):
        self.META = {"REMOTE_ADDR": remote, "HTTP_X_FORWARDED_FOR": forwarded}


def visitor_key(meta: dict) -> tuple:
    """The raw request fields that identify a visitor; kept in memory until the next flush."""
    return (
        meta.get("REMOTE_ADDR", ""),
        meta.get("HTTP_X_FORWARDED_FOR", ""),
        meta.get("HTTP_USER_AGENT", "")[:300],
    )


def visitor_of(key: tuple) -> tuple[str, str]:
    """(client address, browser) of a visitor key, trusting proxies as the bridge does."""
    remote, forwarded, agent = key
    return client_ip(_Meta(remote, forwarded)), agent


def salt_for(day: date) -> str:
    from stats.models import DailySalt

    salt, _ = DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
    return salt.salt


def visitor_digest(salt: str, ip: str, agent: str) -> str:
    return hmac_sm3(salt.encode(), f"{ip}\x1f{agent}".encode())[:32]


def _pages_for(site_id: int, paths: set[str]) -> dict[str, int]:
    """{path: page id} of the paths that are pages of the site (the longest page prefix otherwise,
    so that a column's pagination and a shared article count for that column)."""
    from wagtail.models import Page, Site

    site = Site.objects.filter(pk=site_id).select_related("root_page").first()
    if site is None:
        return {}
    root = site.root_page.url_path
    wanted = {}
    for path in paths:
        parts = [p for p in path.split("/") if p]
        for n in range(len(parts), -1, -1):
            wanted.setdefault(root + "".join(f"{p}/" for p in parts[:n]), None)
    found = dict(Page.objects.filter(url_path__in=list(wanted)).values_list("url_path", "pk"))
    result = {}
    for path in paths:
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 3 and parts[-2] == "shared" and parts[-1].isdigit():
            # /<column>/shared/<article id>/: an article shown under another portal's column
            result[path] = int(parts[-1])
            continue
        for n in range(len(parts), -1, -1):
            page_id = found.get(root + "".join(f"{p}/" for p in parts[:n]))
            if page_id:
                result[path] = page_id
                break
    return result


def _add_views(site_id, day, path, page_id, count) -> None:
    from stats.models import PageViewDaily

    rows = PageViewDaily.objects.filter(site_id=site_id, day=day, path=path)
    if rows.update(views=F("views") + count):
        return
    try:
        with transaction.atomic():
            PageViewDaily.objects.create(
                site_id=site_id, day=day, path=path, page_id=page_id, views=count
            )
    except IntegrityError:  # another process created it meanwhile
        rows.update(views=F("views") + count)


def write(views: Counter, visitors: set) -> None:
    """Store counts taken from a buffer (also used by the log importer)."""
    from stats.models import VisitorDigest

    if not views and not visitors:
        return
    by_site: dict[int, set[str]] = {}
    for site_id, _day, path in views:
        by_site.setdefault(site_id, set()).add(path)
    pages = {site_id: _pages_for(site_id, paths) for site_id, paths in by_site.items()}
    salts: dict[date, str] = {}
    digests = set()
    for site_id, day, key in visitors:
        if day not in salts:
            salts[day] = salt_for(day)
        digests.add((site_id, day, visitor_digest(salts[day], *visitor_of(key))))
    with transaction.atomic():
        for (site_id, day, path), count in sorted(views.items()):
            _add_views(site_id, day, path, pages[site_id].get(path), count)
        VisitorDigest.objects.bulk_create(
            [VisitorDigest(site_id=s, day=d, digest=g) for s, d, g in digests],
            ignore_conflicts=True,
        )


def flush() -> None:
    """Write this process's buffer to the database now."""
    views, visitors = buffer.take()
    try:
        write(views, visitors)
    except Exception:  # counting must never break a page; the lost counts are logged
        logger.exception("统计数据写入失败，丢失 %d 次访问", sum(views.values()))


atexit.register(flush)


class PageViewMiddleware:
    """Counts each page a visitor received (HTML, status 200), cached or rendered."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            settings.STATS_COUNTING
            and request.method == "GET"
            and not page_cache.is_internal_render(request)
            and response.status_code == 200
            and is_page_path(request.path)
            and response.get("Content-Type", "").startswith("text/html")
        ):
            site_id = getattr(request, "portal_site_id", None)
            if site_id is None:
                try:
                    site_id = page_cache.site_id_for_host(request.get_host())
                except Exception:  # DisallowedHost has already been answered
                    site_id = None
            if site_id is not None:
                due = buffer.record(site_id, today(), request.path, visitor_key(request.META))
                if due:
                    flush()
        return response
