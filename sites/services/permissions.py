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
from sites.registry import ADMIN_ROLES, CONTENT_ROLES, ROLES, group_name

# Nobody but a portal's administrators can publish directly: everyone else goes through 三审.
PAGE_PERMISSIONS = {
    "editor": ["add", "change"],
    "reviewer": ["add", "change", "lock"],
    "approver": ["add", "change", "lock", "unlock"],
    "admin": ["add", "change", "publish", "bulk_delete", "lock", "unlock"],
    # Handling roles work in the case inbox only: no page, image or document rights.
    "intake": [],
    "handler": [],
}
COLLECTION_PERMISSIONS = {
    "editor": ["add", "choose"],
    "reviewer": ["add", "change", "choose"],
    "approver": ["add", "change", "choose"],
    "admin": ["add", "change", "delete", "choose"],
    "intake": [],
    "handler": [],
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
    media_jobs = Permission.objects.filter(
        content_type__app_label="media_pipeline", codename__in=["add_mediajob", "view_mediajob"]
    )
    groups = {}
    for role in ROLES:
        group, _ = Group.objects.get_or_create(name=group_name(portal.name, role))
        group.permissions.add(access_admin)
        if role in CONTENT_ROLES:
            # The media tools; their listings show only the portal's own files and jobs.
            group.permissions.add(*media_jobs)
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


# Django permissions of the three separated administrators, as "app_label.codename"; those of
# apps that are not installed (django-axes, the security app) are skipped.
ADMIN_ROLE_PERMISSIONS = {
    "system": [
        "wagtailadmin.access_admin",
        "auth.add_user",
        "auth.change_user",
        "auth.view_user",
        "wagtailcore.add_site",
        "wagtailcore.change_site",
        "wagtailcore.view_site",
        "portal_sites.change_portal",
        "portal_sites.view_portal",
        "portal_sites.change_portalsettings",
    ],
    "security": [
        "wagtailadmin.access_admin",
        "auth.add_group",
        "auth.change_group",
        "auth.delete_group",
        "auth.view_group",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accessfailurelog",
        "axes.view_accesslog",
        "security.view_lockout",
        "security.unlock_accounts",
    ],
    "audit": ["wagtailadmin.access_admin", "audit.view_auditrecord", "audit.export_auditrecord"],
}


def ensure_admin_role_groups() -> dict[str, Group]:
    """Create or repair the groups of the three separated administrators with exactly their
    rights (idempotent): a right of one is never given to the others."""
    groups = {}
    for role, name in ADMIN_ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = []
        for dotted in ADMIN_ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                wanted.append(permission)
        current = set(group.permissions.values_list("pk", flat=True))
        if current != {p.pk for p in wanted}:
            group.permissions.set(wanted)
        groups[role] = group
    return groups
