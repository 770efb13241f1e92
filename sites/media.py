"""Per-portal picture watermarks for media_pipeline (MEDIA_PIPELINE_WATERMARK_RESOLVER).

An image belongs to the portal whose collection holds it; that portal's footer settings say
whether and how to watermark it. The result is cached per collection and forgotten when the
portal's settings are saved.
"""

from django.core.cache import cache

from sites.models import Portal, PortalSettings

CACHE_SECONDS = 300


def _key(collection_id) -> str:
    return f"watermark:{collection_id}"


def watermark_for(image, profile_name: str) -> dict | None:
    key = _key(image.collection_id)
    config = cache.get(key)
    if config is None:
        config = _load(image.collection_id) or {}
        cache.set(key, config, CACHE_SECONDS)
    return config or None


def _load(collection_id) -> dict | None:
    portal = Portal.objects.filter(collection_id=collection_id).select_related("site").first()
    if portal is None:
        return None
    settings = PortalSettings.for_site(portal.site)
    if settings.watermark is None:
        return None
    with settings.watermark.open_file() as handle:
        logo = handle.read()
    return {
        "logo": logo,
        "position": settings.watermark_position,
        "opacity": settings.watermark_opacity,
        "profiles": tuple(p.strip() for p in settings.watermark_profiles.split(",") if p.strip()),
    }


def forget(portal_settings: PortalSettings) -> None:
    portal = Portal.objects.filter(site_id=portal_settings.site_id).first()
    if portal is not None:
        cache.delete(_key(portal.collection_id))


def colleagues(user):
    """The staff of the user's portals (MEDIA_PIPELINE_JOB_COLLEAGUES): whose media jobs they see."""
    from django.contrib.auth import get_user_model

    from sites.registry import ROLES, group_name

    names = [
        group_name(portal.name, role)
        for portal in Portal.objects.filter(pk__in=_portal_ids(user))
        for role in ROLES
    ]
    return get_user_model().objects.filter(groups__name__in=names)


def _portal_ids(user):
    from sites.services.accounts import portals_of

    return portals_of(user)
