"""The APP's sync journal: what a portal's APP has to fetch or drop since its last sync.

Every change of a page on the APP (published, updated, withdrawn) takes the portal's
:class:`~channels.models.AppSyncCounter` row FOR UPDATE, adds one and stamps the page's
:class:`~channels.models.AppEntry` with the new number, in one transaction. The lock is held until
that transaction commits, so numbers become visible in the order they were handed out: a reader
never sees number *n + 1* while *n* may still commit, and a cursor (the last number a client has
seen) can never skip a change. Timestamps or database sequences could not promise this: a
transaction that started earlier may commit later with a smaller value.

The journal keeps one row per page and portal: a sync returns each page's latest state once
(live, or a tombstone when it was withdrawn), however often it changed in between.

The cursor handed to APPs is opaque (``v1.<portal>.<number>`` in URL-safe base64) so that its
inside can change without an APP release.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from channels.models import AppEntry, AppSyncCounter
from cms import page_cache

CURSOR_VERSION = "v1"
DEFAULT_LIMIT = 200
MAX_LIMIT = 500


class CursorError(ValueError):
    """The cursor cannot be read, or belongs to another portal (zh-hans message)."""


def encode_cursor(site_code: str, seq: int) -> str:
    raw = f"{CURSOR_VERSION}.{site_code}.{seq}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str | None, site_code: str) -> int:
    """The number after which to sync; 0 for a first sync (no cursor)."""
    if not cursor:
        return 0
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        version, site, seq = raw.split(".")
        number = int(seq)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise CursorError("同步游标无法识别，请不带游标重新进行全量同步") from None
    if version != CURSOR_VERSION or number < 0:
        raise CursorError("同步游标无法识别，请不带游标重新进行全量同步")
    if site != site_code:
        raise CursorError("同步游标属于另一个门户，请使用该门户自己的游标")
    return number


def _kind_of(page) -> str:
    return AppEntry.Kind.TOPIC if page._meta.model_name == "topicpage" else AppEntry.Kind.ARTICLE


def _next_seq(site_code: str) -> int:
    """The next number of ``site_code``; the counter stays locked until the caller commits."""
    AppSyncCounter.objects.get_or_create(site_code=site_code)
    counter = AppSyncCounter.objects.select_for_update().get(site_code=site_code)
    counter.value += 1
    counter.save(update_fields=["value"])
    return counter.value


def _invalidate(site_code: str) -> None:
    """After the commit: the APP's cached reads of this portal (and its pages) are stale."""
    from sites.models import Portal

    site_ids = Portal.objects.filter(code=site_code).values_list("site_id", flat=True)
    transaction.on_commit(lambda: page_cache.invalidate_sites(list(site_ids)))


def record(page, *, live: bool, revision=None) -> AppEntry:
    """Write the change of ``page`` on the APP (live or withdrawn) into its portal's journal.

    A page that moved to another portal leaves a tombstone in the portal it left.
    """
    from sensitive_words import gate

    page = page.specific
    site_code = gate.site_code_of(page)
    with transaction.atomic():
        if live:
            elsewhere = AppEntry.objects.filter(page_key=page.pk, live=True).exclude(
                site_code=site_code
            )
            for old_site in sorted(set(elsewhere.values_list("site_code", flat=True))):
                _write(page, old_site, live=False, revision=None)
        entry = _write(page, site_code, live=live, revision=revision)
    return entry


def _write(page, site_code: str, *, live: bool, revision) -> AppEntry:
    seq = _next_seq(site_code)
    entry, _ = AppEntry.objects.update_or_create(
        site_code=site_code,
        page_key=page.pk,
        defaults={
            "page": page,
            "kind": _kind_of(page),
            "seq": seq,
            "live": live,
            "revision": revision,
            "changed_at": timezone.now(),
        },
    )
    _invalidate(site_code)
    return entry


@dataclass
class Changes:
    entries: list[AppEntry]
    cursor: str
    has_more: bool


def changes(site_code: str, cursor: str | None, limit: int = DEFAULT_LIMIT) -> Changes:
    """The entries of ``site_code`` after ``cursor``, oldest first, and the cursor to go on with.

    A first sync (no cursor) leaves out tombstones: there is nothing on the device to remove.
    """
    after = decode_cursor(cursor, site_code)
    limit = max(1, min(limit, MAX_LIMIT))
    rows = AppEntry.objects.filter(site_code=site_code, seq__gt=after).order_by("seq")
    window = list(rows[: limit + 1])
    has_more = len(window) > limit
    window = window[:limit]
    last = window[-1].seq if window else after
    if not cursor:
        window = [e for e in window if e.live]
    return Changes(window, encode_cursor(site_code, last), has_more)


def live_page_ids():
    """Subquery: ids of pages the APP shows now (any portal: shares cross portals)."""
    return AppEntry.objects.filter(live=True, page__isnull=False).values("page_id")


def backfill(site_code: str | None = None) -> int:
    """Journal every live page the APP channel takes that the journal does not have yet (after
    the APP channel is first configured). Returns how many pages were written."""
    from wagtail.models import Page

    from channels import services
    from channels.base import get_channels
    from channels.models import Delivery

    app_channels = [c for c in get_channels().values() if c.kind == "app"]
    if not app_channels:
        return 0
    known = set(AppEntry.objects.filter(live=True).values_list("page_key", flat=True))
    pages = Page.objects.live().public().filter(depth__gt=2).exclude(pk__in=known)
    written = 0
    for page in pages.specific().iterator():
        codes = {c.code for c in services.channels_for(page)}
        if not any(c.code in codes for c in app_channels):
            continue
        if site_code and gate_site(page) != site_code:
            continue
        with transaction.atomic():
            entry = record(page, live=True, revision=page.live_revision)
            # As if delivered: the fan-out then withdraws it from the APP when it is unpublished.
            for channel in app_channels:
                if channel.code in codes:
                    Delivery.objects.create(
                        page=page,
                        revision=page.live_revision,
                        site_code=entry.site_code,
                        channel=channel.code,
                        action=Delivery.Action.PUBLISH,
                        state=Delivery.State.PUBLISHED,
                        finished_at=timezone.now(),
                        remote_id=f"{entry.site_code}#{entry.seq}",
                    )
        written += 1
    return written


def tombstone_deleted(page_key: int) -> None:
    """A deleted page leaves a tombstone wherever the APP showed it."""
    with transaction.atomic():
        for entry in AppEntry.objects.filter(page_key=page_key, live=True).order_by("site_code"):
            entry.seq = _next_seq(entry.site_code)
            entry.live = False
            entry.page = None
            entry.changed_at = timezone.now()
            entry.save(update_fields=["seq", "live", "page", "changed_at"])
            _invalidate(entry.site_code)


def _page_deleted(sender, instance, **kwargs):
    tombstone_deleted(instance.pk)


def _page_moved(sender, instance, **kwargs):
    """A page (or a branch) moved to another portal: the APP of the portal it left gets
    tombstones, the new one gets the pages (``record`` does both)."""
    from wagtail.models import Page

    moved = Page.objects.descendant_of(instance, inclusive=True)
    on_app = AppEntry.objects.filter(live=True, page__in=moved).values("page_id")
    for page in Page.objects.filter(pk__in=on_app).specific():
        record(page, live=True, revision=page.live_revision)


def connect() -> None:
    from django.db.models.signals import pre_delete
    from wagtail.models import Page
    from wagtail.signals import post_page_move

    pre_delete.connect(_page_deleted, sender=Page, dispatch_uid="channels_app_page_deleted")
    post_page_move.connect(_page_moved, dispatch_uid="channels_app_page_moved")


def gate_site(page) -> str:
    from sensitive_words import gate

    return gate.site_code_of(page)
