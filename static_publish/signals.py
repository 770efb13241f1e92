"""What sends pages to be rebuilt: the same events that purge the page cache (cms.signals).

Each receiver adds page ids to the batch of the current transaction; when it commits, one task
(``tasks.rebuild``) computes and rebuilds the exact files from the state after the change, so a
subtree deleted or a page published with its pushes costs one task. Portal-wide changes (站群导航,
the footer settings, a portal or Site) enqueue ``tasks.rebuild_portals``. Nothing is done when
static publishing is off.
"""

from __future__ import annotations

import threading

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from . import layout

_local = threading.local()
KEYS = ("changed", "gone", "containers", "shares", "homes")


class Batch:
    def __init__(self):
        self.parts: dict[str, set] = {key: set() for key in KEYS}
        self.portals: set[int] = set()
        self.all_portals = False

    def send(self):
        from . import tasks

        if any(self.parts.values()):
            changes = {key: sorted(values) for key, values in self.parts.items() if values}
            tasks.rebuild.enqueue(changes)
        if self.all_portals:
            tasks.rebuild_portals.enqueue(None)
        elif self.portals:
            tasks.rebuild_portals.enqueue(sorted(self.portals))


def _flush():
    """Send what this thread collected; the first commit callback sends it all, the others find
    nothing left. (What a rolled-back transaction added goes with the next commit: rebuilding a
    page renders what is true then, so that costs a render, never a wrong file.)"""
    batch = getattr(_local, "batch", None)
    _local.batch = None
    if batch is not None:
        batch.send()


def schedule(*, portals=(), all_portals=False, **parts) -> None:
    if not layout.enabled():
        return
    batch = getattr(_local, "batch", None)
    if batch is None:
        batch = _local.batch = Batch()
    for key, values in parts.items():
        batch.parts[key].update(v for v in values if v is not None)
    batch.portals.update(p for p in portals if p)
    batch.all_portals = batch.all_portals or all_portals
    transaction.on_commit(_flush)


def _parent_id(page) -> int | None:
    if page.depth <= 1:
        return None
    return Page.objects.filter(path=page.path[: -Page.steplen]).values_list("pk", flat=True).first()


def _published(sender, instance, **kwargs):
    schedule(changed=[instance.pk])


def _moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    schedule(changed=[instance.pk], containers=[parent_page_before.pk, parent_page_after.pk])


def _deleted(sender, instance, **kwargs):
    schedule(gone=[instance.pk], containers=[_parent_id(instance)])


def _share_changed(sender, instance, **kwargs):
    schedule(shares=[(instance.column_id, instance.article_id)])


def _all_portals(sender, instance, **kwargs):
    # 站群导航 names every portal; a renamed or removed host's files go with the full rebuild.
    schedule(all_portals=True)


def _settings_changed(sender, instance, **kwargs):
    schedule(portals=[instance.site_id])


def _portal_content_changed(sender, site_ids, **kwargs):
    """``cms.signals.portal_pages_changed``: a campaign saved, or opened or closed by the calendar
    (``refresh_campaign_pages`` on its midnight timer); those portals' pages are rebuilt."""
    schedule(portals=site_ids)


def _image_changed(sender, instance, **kwargs):
    from sites.models import Portal

    if kwargs.get("created"):
        return  # a new picture is on no page yet
    schedule(
        portals=Portal.objects.filter(collection_id=instance.collection_id).values_list(
            "site_id", flat=True
        )
    )


def connect():
    from wagtail.images import get_image_model

    from cms.models import ArticleShare
    from cms.signals import portal_content_changed
    from sites.models import Portal, PortalSettings

    page_published.connect(_published, dispatch_uid="static_published")
    page_unpublished.connect(_published, dispatch_uid="static_unpublished")
    post_page_move.connect(_moved, dispatch_uid="static_moved")
    post_delete.connect(_deleted, sender=Page, dispatch_uid="static_deleted")
    post_save.connect(_share_changed, sender=ArticleShare, dispatch_uid="static_share_saved")
    post_delete.connect(_share_changed, sender=ArticleShare, dispatch_uid="static_share_del")
    post_save.connect(_all_portals, sender=Site, dispatch_uid="static_site_saved")
    post_delete.connect(_all_portals, sender=Site, dispatch_uid="static_site_deleted")
    post_save.connect(_all_portals, sender=Portal, dispatch_uid="static_portal_saved")
    post_save.connect(_settings_changed, sender=PortalSettings, dispatch_uid="static_settings")
    portal_content_changed.connect(_portal_content_changed, dispatch_uid="static_portal_content")
    post_save.connect(_image_changed, sender=get_image_model(), dispatch_uid="static_image")
