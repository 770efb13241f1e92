"""The group 食堂管理员 (canteen staff), created and repaired by ``seed_portals`` (idempotent).

It may enter the Wagtail admin, keep every canteen record (add, change, delete, view), look
at orders and notices, remove a diner's WeChat binding, and upload and choose images for dishes; it has no right on any portal's pages or submissions.
"""

from __future__ import annotations

from django.apps import apps
from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType

CANTEEN_GROUP = "食堂管理员"
KEPT_MODELS = ("department", "diner", "dish", "holiday", "meal", "invitation")
VIEWED_MODELS = ("order", "notice", "wechatbinding")
#: Viewed models the canteen may also delete: a binding, when a diner changed WeChat accounts.
DELETABLE_VIEWED = ("wechatbinding",)


def seed_canteen_group() -> Group:
    from wagtail.models import Collection, GroupCollectionPermission

    group, _ = Group.objects.get_or_create(name=CANTEEN_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    config = apps.get_app_config("mini_programs")
    for name in KEPT_MODELS + VIEWED_MODELS:
        content_type = ContentType.objects.get_for_model(config.get_model(name))
        if name in KEPT_MODELS:
            actions = ("add", "change", "delete", "view")
        else:
            actions = ("view", "delete") if name in DELETABLE_VIEWED else ("view",)
        for action in actions:
            group.permissions.add(
                Permission.objects.get(content_type=content_type, codename=f"{action}_{name}")
            )
    root = Collection.get_first_root_node()
    image_type = ContentType.objects.get(app_label="wagtailimages", model="image")
    for codename in ("add_image", "choose_image"):
        GroupCollectionPermission.objects.get_or_create(
            group=group,
            collection=root,
            permission=Permission.objects.get(content_type=image_type, codename=codename),
        )
    return group
