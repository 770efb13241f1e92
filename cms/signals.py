"""Reactions to publishing events: which sites' page caches they touch, and the re-check of an
article's accepted pushes (接收审核) when it is published again.

``portal_pages_changed(site_ids)`` is the one call for "these portals' pages show something else
now" when no page was published (a themed call for suggestions opened or closed by the calendar,
or was saved): it invalidates their page cache and sends ``portal_content_changed`` with
``site_ids``, to which static publishing connects to rebuild those portals' files.
"""

from django.db.models.signals import post_delete, post_save
from django.dispatch import Signal, receiver
from wagtail.models import Page, Site
from wagtail.signals import page_published, page_unpublished, post_page_move

from cms import page_cache

# Sent with ``site_ids`` (a frozenset of Wagtail Site ids) by ``portal_pages_changed``.
portal_content_changed = Signal()


def portal_pages_changed(site_ids) -> set[int]:
    """The pages of these sites must render afresh: purge their page cache and tell the
    receivers of ``portal_content_changed``. Returns the site ids concerned."""
    site_ids = {s for s in site_ids if s}
    if site_ids:
        page_cache.invalidate_sites(site_ids)
        portal_content_changed.send(sender=None, site_ids=frozenset(site_ids))
    return site_ids


def _site_id_of(page) -> int | None:
    site = page.get_site() if page is not None else None
    return site.pk if site else None


def sites_showing(page) -> set[int]:
    """The page's own site and every site whose column shows it through an accepted push."""
    from cms.models import ArticleShare

    site_ids = {_site_id_of(page)}
    for column in Page.objects.filter(
        pk__in=ArticleShare.objects.accepted().filter(article_id=page.pk).values("column_id")
    ):
        site_ids.add(_site_id_of(column))
    return {s for s in site_ids if s}


@receiver(page_published)
@receiver(page_unpublished)
def _page_changed(sender, instance, **kwargs):
    page_cache.invalidate_sites(sites_showing(instance))


@receiver(page_published)
def _recheck_accepted_pushes(sender, instance, **kwargs):
    """New content of a pushed article must pass each receiving portal's gate too: where it does
    not, the push goes back to that portal's queue (and its cache is purged by the share's save)."""
    from cms import sharing
    from cms.models import ArticlePage

    if isinstance(instance, ArticlePage):
        sharing.recheck_accepted(instance)


@receiver(post_delete, sender=Page)
def _page_deleted(sender, instance, **kwargs):
    page_cache.invalidate_sites({_site_id_of(instance)})


@receiver(post_page_move)
def _page_moved(sender, instance, parent_page_before, parent_page_after, **kwargs):
    page_cache.invalidate_sites(
        {_site_id_of(parent_page_before), _site_id_of(parent_page_after)} | sites_showing(instance)
    )


def _share_changed(sender, instance, **kwargs):
    """A push was made, accepted, declined, re-opened or withdrawn: the receiving portal's column
    list, home-page block and shared route may show something else now."""
    page_cache.invalidate_sites({_site_id_of(instance.column)})


def _site_changed(sender, instance, **kwargs):
    # Every portal's 站群导航 names and links to the others: all of them render afresh.
    page_cache.forget_hosts()
    page_cache.invalidate_sites({instance.pk} | set(Site.objects.values_list("pk", flat=True)))


def _portal_changed(sender, instance, **kwargs):
    page_cache.invalidate_sites(set(Site.objects.values_list("pk", flat=True)))


def _campaign_changed(sender, instance, **kwargs):
    """A themed call for suggestions opened, closed or renamed: its portal's home lists it."""
    portal_pages_changed({getattr(instance.portal, "site_id", None)})


def _settings_changed(sender, instance, **kwargs):
    from sites.media import forget

    page_cache.invalidate_sites({instance.site_id})
    forget(instance)


def connect():
    from cms.models import ArticleShare
    from sites.models import PortalSettings

    post_save.connect(_share_changed, sender=ArticleShare, dispatch_uid="cms_share_saved")
    post_delete.connect(_share_changed, sender=ArticleShare, dispatch_uid="cms_share_deleted")
    post_save.connect(_site_changed, sender=Site, dispatch_uid="cms_site_saved")
    post_delete.connect(_site_changed, sender=Site, dispatch_uid="cms_site_deleted")
    post_save.connect(_settings_changed, sender=PortalSettings, dispatch_uid="cms_settings_saved")
    _connect_home_sources()


def _image_changed(sender, instance, **kwargs):
    """A picture's file or focal point changed: its variants are new files, so the pages of the
    portal whose library holds it (carousel, 头条, banners, articles) render afresh."""
    from sites.models import Portal

    if kwargs.get("created"):
        return  # a new picture is on no page yet
    page_cache.invalidate_sites(
        set(
            Portal.objects.filter(collection_id=instance.collection_id).values_list(
                "site_id", flat=True
            )
        )
    )


def _connect_home_sources():
    """What else the home pages show: the portal list (站群导航), the open campaigns and pictures."""
    from wagtail.images import get_image_model

    from backend_bridge.models import SuggestionCampaign
    from sites.models import Portal

    post_save.connect(_image_changed, sender=get_image_model(), dispatch_uid="cms_image_saved")
    post_save.connect(_portal_changed, sender=Portal, dispatch_uid="cms_portal_saved")
    post_save.connect(_campaign_changed, sender=SuggestionCampaign, dispatch_uid="cms_camp_saved")
    post_delete.connect(_campaign_changed, sender=SuggestionCampaign, dispatch_uid="cms_camp_del")
