"""Groups and permissions of one portal: each role's rights cover that portal's subtree only."""

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    GroupSitePermission,
)

from sites.models import Portal, PortalSettings
from sites.registry import ROLES, group_name

# Nobody but a portal's administrators can publish directly: everyone else goes through 三审.
PAGE_PERMISSIONS = {
    "editor": ["add", "change"],
    "reviewer": ["add", "change", "lock"],
    "approver": ["add", "change", "lock", "unlock"],
    "admin": ["add", "change", "publish", "bulk_delete", "lock", "unlock"],
}
COLLECTION_PERMISSIONS = {
    "editor": ["add", "choose"],
    "reviewer": ["add", "change", "choose"],
    "approver": ["add", "change", "choose"],
    "admin": ["add", "change", "delete", "choose"],
}


def _perm(app_label: str, codename: str) -> Permission:
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


def portal_collection(portal: Portal) -> Collection:
    """The portal's own collection of images and documents."""
    if portal.collection_id:
        return portal.collection
    root = Collection.get_first_root_node()
    collection = root.get_children().filter(name=portal.name).first() or root.add_child(
        name=portal.name
    )
    portal.collection = collection
    portal.save(update_fields=["collection"])
    return collection


def ensure_portal_groups(portal: Portal) -> dict[str, Group]:
    """Create or repair the four groups of a portal with exactly their rights (idempotent)."""
    home = portal.site.root_page
    collection = portal_collection(portal)
    access_admin = _perm("wagtailadmin", "access_admin")
    settings_ct = ContentType.objects.get_for_model(PortalSettings)
    change_settings = Permission.objects.get(
        content_type=settings_ct, codename="change_portalsettings"
    )
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=group_name(portal.name, role))
        group.permissions.add(access_admin)
        for permission_type in PAGE_PERMISSIONS[role]:
            GroupPagePermission.objects.get_or_create(
                group=group, page=home, permission=_perm("wagtailcore", f"{permission_type}_page")
            )
        for app_label, model in (("wagtailimages", "image"), ("wagtaildocs", "document")):
            for action in COLLECTION_PERMISSIONS[role]:
                GroupCollectionPermission.objects.get_or_create(
                    group=group,
                    collection=collection,
                    permission=_perm(app_label, f"{action}_{model}"),
                )
        if role == "admin":
            GroupSitePermission.objects.get_or_create(
                group=group, site=portal.site, permission=change_settings
            )
        groups[role] = group
    return groups
