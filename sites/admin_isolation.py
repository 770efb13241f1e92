"""Per-portal scoping of the Wagtail admin screens that Wagtail itself does not scope.

- The admin API's image and document endpoints (``/admin/api/main/images/``, ``documents/``)
  list only the collections where the user holds a right (a 南宁 editor never sees 柳州's
  files or their download URLs); the detail of another portal's file answers 404.
- The page-types usage report counts and names only pages under the user's own portal roots.
- A Wagtail permission refusal answers 403 instead of Wagtail's redirect to the dashboard, so
  that a drill (or a curious editor) cannot tell "not yours" from "moved", and the refusal is
  written to the audit log.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from wagtail.admin.views.reports.page_types_usage import PageTypesUsageReportView
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.images import get_image_model
from wagtail.images.api.admin.views import ImagesAdminAPIViewSet
from wagtail.models import Page
from wagtail.permissions import policy_registry

FILE_ACTIONS = ["add", "change", "delete", "choose"]


def visible_collection_ids(user, model) -> list[int] | None:
    """Collections whose files the user may see in the admin; None means all (superusers)."""
    if user.is_superuser:
        return None
    policy = policy_registry.get_by_type(model)
    return list(
        policy.collections_user_has_any_permission_for(user, FILE_ACTIONS).values_list(
            "pk", flat=True
        )
    )


def _scope_files(queryset, request, model):
    user = getattr(request, "user", None) or AnonymousUser()
    ids = visible_collection_ids(user, model)
    return queryset if ids is None else queryset.filter(collection_id__in=ids)


class PortalImagesAdminAPIViewSet(ImagesAdminAPIViewSet):
    def get_queryset(self):
        return _scope_files(super().get_queryset(), self.request, get_image_model())


class PortalDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    def get_queryset(self):
        return _scope_files(super().get_queryset(), self.request, get_document_model())


def portal_root_paths(user) -> list[str] | None:
    """Tree paths of the pages the user has any page right on; None means all (superusers)."""
    if user.is_superuser:
        return None
    from wagtail.models import GroupPagePermission

    return list(
        GroupPagePermission.objects.filter(group__user=user)
        .values_list("page__path", flat=True)
        .distinct()
    )


class PortalPageTypesUsageReportView(PageTypesUsageReportView):
    """Wagtail's report, with counts and the latest edited page taken from the user's own
    portals only (Wagtail's version shows another city's newest draft title)."""

    def get_queryset(self):
        roots = portal_root_paths(self.request.user)
        queryset = super().get_queryset()
        if roots is None:
            return queryset
        under = Q(pk__in=[])
        count_under = Q(pk__in=[])
        for path in roots:
            under |= Q(path__startswith=path)
            count_under |= Q(pages__path__startswith=path)
        site_root_path = self.filters.form.cleaned_data.get("site", None)
        if site_root_path:
            under &= Q(path__startswith=site_root_path)
            count_under &= Q(pages__path__startswith=site_root_path)
        latest = (
            Page.objects.filter(under, content_type=OuterRef("pk"))
            .order_by(F("latest_revision_created_at").desc(nulls_last=True), "title", "-pk")
            .values("pk")[:1]
        )
        return queryset.annotate(
            count=Count("pages", filter=count_under, distinct=True),
            last_edited_page_id=Subquery(latest),
        ).order_by("-count", "app_label", "model")


DENIED_MESSAGE = "Sorry, you do not have permission to access this area."


class AdminForbiddenMiddleware:
    """Turns Wagtail's "no permission" redirect to the dashboard into a 403 page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if response.status_code != 302 or not request.path.startswith("/admin/"):
            return response
        if response.get("Location") != reverse("wagtailadmin_home"):
            return response
        storage = getattr(request, "_messages", None)
        if storage is None:
            return response
        # Wagtail's admin messages carry trailing markup (buttons): compare the text itself.
        texts = [str(m.message).strip() for m in storage]
        denied_texts = {DENIED_MESSAGE, _translated_denied()}
        if not denied_texts & set(texts):
            storage.used = False  # leave the other messages for the next page
            return response
        return forbidden(request)


def _translated_denied() -> str:
    from django.utils.translation import gettext

    return gettext(DENIED_MESSAGE)


def forbidden(request):
    from django.template.response import TemplateResponse

    try:
        from audit import services
        from audit.models import Category, Outcome

        services.record(
            Category.ACCESS,
            "admin_access_denied",
            request=request,
            target=request.get_full_path()[:300],
            outcome=Outcome.DENIED,
        )
    except Exception:  # noqa: BLE001, S110 - the refusal stands even if it cannot be recorded
        pass
    response = TemplateResponse(
        request, "portal_sites/forbidden.html", {"header_title": "无权访问"}, status=403
    )
    return response.render()
