"""What the audit log listens to: sign-ins, lockouts (django-axes), accounts, groups and
permissions, publication, channel deliveries, unmasked personal data and configuration.

Receivers never stop what they observe: an event that cannot be written is logged loudly and
the action goes on (the chain verification shows the gap in numbering only if a record was
written and later lost, so a failure here is reported on the error log for the operators).
"""

from __future__ import annotations

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save

from . import services
from .models import Category, Outcome

logger = logging.getLogger(__name__)

# Fields of a user whose change is an account or permission event (last_login is not).
WATCHED_USER_FIELDS = ("username", "is_active", "is_staff", "is_superuser", "password", "email")


def _safe(function):
    def wrapper(*args, **kwargs):
        try:
            function(*args, **kwargs)
        except Exception:  # noqa: BLE001 - auditing must not break the audited action
            logger.exception("audit: could not record %s", function.__name__)

    wrapper.__name__ = function.__name__
    return wrapper


# --- sign-in ----------------------------------------------------------------------------------


@_safe
def _logged_in(sender, request, user, **kwargs):
    services.record(
        Category.LOGIN, "login", request=request, user=user, target=_login_where(request)
    )


@_safe
def _logged_out(sender, request, user, **kwargs):
    if user is not None:
        services.record(Category.LOGIN, "logout", request=request, user=user)


@_safe
def _login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username") or credentials.get("email") or "")[:150]
    services.record(
        Category.LOGIN,
        "login_failed",
        request=request,
        username=username,
        target=_login_where(request),
        outcome=Outcome.FAILURE,
    )


def _login_where(request) -> str:
    return getattr(request, "path", "")[:300] if request is not None else ""


@_safe
def _locked_out(sender, request=None, username=None, ip_address=None, **kwargs):
    services.record(
        Category.LOCKOUT,
        "lockout",
        request=request,
        username=str(username or "")[:150],
        target=_login_where(request),
        outcome=Outcome.DENIED,
        details={"ip": ip_address or ""},
    )


# --- accounts, groups, permissions ------------------------------------------------------------


@_safe
def _user_pre_save(sender, instance, **kwargs):
    if instance.pk is None:
        instance._audit_before = None
        return
    before = sender.objects.filter(pk=instance.pk).values(*WATCHED_USER_FIELDS).first()
    instance._audit_before = before


@_safe
def _user_saved(sender, instance, created, **kwargs):
    if created:
        services.record(
            Category.ACCOUNT,
            "user_created",
            target=instance.get_username(),
            details={"is_superuser": instance.is_superuser, "is_staff": instance.is_staff},
        )
        return
    before = getattr(instance, "_audit_before", None)
    if not before:
        return
    changed = [f for f in WATCHED_USER_FIELDS if before.get(f) != getattr(instance, f)]
    if not changed:
        return
    category = (
        Category.PERMISSION if {"is_staff", "is_superuser"} & set(changed) else Category.ACCOUNT
    )
    action = "user_changed"
    if changed == ["is_active"]:
        action = "user_enabled" if instance.is_active else "user_disabled"
    elif changed == ["password"]:
        action = "password_changed"
    details = {
        f: {"from": before.get(f), "to": getattr(instance, f)} for f in changed if f != "password"
    }
    if "password" in changed:
        details["password"] = "changed"  # noqa: S105 - says that it changed, never what to
    services.record(category, action, target=instance.get_username(), details={"changed": details})
    instance._audit_before = None


@_safe
def _user_deleted(sender, instance, **kwargs):
    services.record(Category.ACCOUNT, "user_deleted", target=instance.get_username())


@_safe
def _memberships_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    names = []
    if pk_set:
        if model is Permission:
            names = [
                f"{app}.{code}"
                for app, code in model.objects.filter(pk__in=pk_set).values_list(
                    "content_type__app_label", "codename"
                )
            ]
        else:
            names = [str(obj) for obj in model.objects.filter(pk__in=pk_set)]
    verb = {"post_add": "added", "post_remove": "removed", "post_clear": "cleared"}[action]
    owner = instance.get_username() if hasattr(instance, "get_username") else str(instance)
    kind = (
        "permissions"
        if model is Permission or sender.__name__.endswith("permissions")
        else "groups"
    )
    if reverse:
        kind = "members"
    services.record(
        Category.PERMISSION,
        f"{kind}_{verb}",
        target=owner,
        details={"items": sorted(names)},
    )


@_safe
def _group_saved(sender, instance, created, **kwargs):
    services.record(
        Category.PERMISSION, "group_created" if created else "group_changed", target=instance.name
    )


@_safe
def _group_deleted(sender, instance, **kwargs):
    services.record(Category.PERMISSION, "group_deleted", target=instance.name)


@_safe
def _object_permission_saved(sender, instance, created, **kwargs):
    services.record(
        Category.PERMISSION,
        f"{sender._meta.model_name}_{'added' if created else 'changed'}",
        target=str(instance),
    )


@_safe
def _object_permission_deleted(sender, instance, **kwargs):
    services.record(Category.PERMISSION, f"{sender._meta.model_name}_removed", target=str(instance))


# --- publication, deliveries, personal data ---------------------------------------------------


def _portal_of_page(page) -> str:
    try:
        site = page.get_site()
        return getattr(getattr(site, "portal", None), "code", "") if site else ""
    except Exception:  # noqa: BLE001 - a page outside any site has no portal
        return ""


@_safe
def _page_published(sender, instance, revision=None, **kwargs):
    user = getattr(revision, "user", None)
    services.record(
        Category.PUBLICATION,
        "page_published",
        user=user,
        target=f"{instance.title}（#{instance.pk}）",
        portal=_portal_of_page(instance),
        details={"revision": getattr(revision, "pk", None), "url_path": instance.url_path},
    )


@_safe
def _page_unpublished(sender, instance, **kwargs):
    services.record(
        Category.PUBLICATION,
        "page_unpublished",
        user=kwargs.get("user"),
        target=f"{instance.title}（#{instance.pk}）",
        portal=_portal_of_page(instance),
        details={"url_path": instance.url_path},
    )


@_safe
def _delivery_finished(sender, delivery, state, error="", **kwargs):
    page = delivery.page
    failed = state == "failed"
    services.record(
        Category.DELIVERY,
        f"delivery_{state}",
        user=delivery.requested_by,
        target=f"{page.title}（#{page.pk}）→ {delivery.channel}",
        portal=delivery.site_code,
        outcome=Outcome.FAILURE if failed else Outcome.SUCCESS,
        details={"delivery": delivery.pk, "action": delivery.action, "error": error or ""},
    )


@_safe
def _pii_revealed(sender, user, submission, fields, reason, ip="", **kwargs):
    services.record(
        Category.PERSONAL_DATA,
        "pii_revealed",
        user=user,
        target=f"信访件 #{submission.pk}",
        portal=getattr(submission.portal, "code", ""),
        details={"fields": fields, "reason": reason},
    )


@_safe
def _data_exported(sender, user, what, count, filters=None, portal="", **kwargs):
    services.record(
        Category.EXPORT,
        kwargs.get("action", "data_export"),
        user=user,
        target=f"{what} {count} 条",
        portal=portal or "",
        details={"filters": filters or {}, "count": count},
    )


@_safe
def _abuse_refused(sender, kind, ip="", details=None, **kwargs):
    services.record(
        Category.ACCESS,
        kind,
        target=ip,
        outcome=Outcome.DENIED,
        details=details or {},
    )


# --- configuration ----------------------------------------------------------------------------


@_safe
def _configuration_saved(sender, instance, created, **kwargs):
    if kwargs.get("raw"):
        return
    services.record(
        Category.CONFIGURATION,
        f"{sender._meta.label_lower}_{'created' if created else 'changed'}",
        target=f"{sender._meta.verbose_name}：{instance}"[:300],
    )


def _configuration_models():
    from django.apps import apps
    from wagtail.contrib.settings.models import BaseGenericSetting, BaseSiteSetting

    models = [
        model
        for model in apps.get_models()
        if issubclass(model, (BaseSiteSetting, BaseGenericSetting))
    ]
    for label in ("wagtailcore.Site", "portal_sites.Portal", "wagtailcore.Workflow"):
        try:
            models.append(apps.get_model(label))
        except LookupError:
            continue
    return models


def connect():
    user_logged_in.connect(_logged_in, dispatch_uid="audit_login")
    user_logged_out.connect(_logged_out, dispatch_uid="audit_logout")
    user_login_failed.connect(_login_failed, dispatch_uid="audit_login_failed")
    from django.apps import apps

    if apps.is_installed("axes"):  # django-axes (the security app adds it) signals lockouts
        from axes.signals import user_locked_out

        user_locked_out.connect(_locked_out, dispatch_uid="audit_lockout")

    user_model = get_user_model()
    pre_save.connect(_user_pre_save, sender=user_model, dispatch_uid="audit_user_pre")
    post_save.connect(_user_saved, sender=user_model, dispatch_uid="audit_user_saved")
    post_delete.connect(_user_deleted, sender=user_model, dispatch_uid="audit_user_deleted")
    for through, uid in (
        (user_model.groups.through, "audit_user_groups"),
        (user_model.user_permissions.through, "audit_user_perms"),
        (Group.permissions.through, "audit_group_perms"),
    ):
        m2m_changed.connect(_memberships_changed, sender=through, dispatch_uid=uid)
    post_save.connect(_group_saved, sender=Group, dispatch_uid="audit_group_saved")
    post_delete.connect(_group_deleted, sender=Group, dispatch_uid="audit_group_deleted")

    from wagtail.models import GroupCollectionPermission, GroupPagePermission, GroupSitePermission

    for model in (GroupPagePermission, GroupCollectionPermission, GroupSitePermission):
        uid = model._meta.model_name
        post_save.connect(_object_permission_saved, sender=model, dispatch_uid=f"audit_{uid}_s")
        post_delete.connect(_object_permission_deleted, sender=model, dispatch_uid=f"audit_{uid}_d")

    from wagtail.signals import page_published, page_unpublished

    page_published.connect(_page_published, dispatch_uid="audit_page_published")
    page_unpublished.connect(_page_unpublished, dispatch_uid="audit_page_unpublished")

    from backend_bridge.signals import abuse_refused, data_exported, pii_revealed
    from channels.signals import delivery_finished

    delivery_finished.connect(_delivery_finished, dispatch_uid="audit_delivery_finished")
    pii_revealed.connect(_pii_revealed, dispatch_uid="audit_pii_revealed")
    abuse_refused.connect(_abuse_refused, dispatch_uid="audit_abuse_refused")
    data_exported.connect(_data_exported, dispatch_uid="audit_data_exported")

    for model in _configuration_models():
        post_save.connect(
            _configuration_saved, sender=model, dispatch_uid=f"audit_config_{model._meta.label}"
        )
