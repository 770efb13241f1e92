"""Wagtail admin: the 互动交流 menu with the case inbox, the evaluations (满意度评价) and the
outbox of the bridge, and the
snippets of the leader board and people's suggestions (领导, 主题征集, 建议领域).

Leaders and campaigns belong to a portal: staff of a portal see, create and edit only their own
portal's (the same portal membership that restricts the case inbox, ``services.inbox``);
superusers see all. Domains are shared by all portals and kept by administrators.
"""

from django.urls import include, path, reverse_lazy
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.panels import FieldPanel, ObjectList
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import (
    DeleteView,
    EditView,
    IndexView,
    SnippetViewSet,
    SnippetViewSetGroup,
)

from . import admin_views
from .models import Leader, SuggestionCampaign, SuggestionDomain
from .services.inbox import can_use_inbox, portal_ids_for


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("", admin_views.case_list, name="cases"),
        path("<int:pk>/", admin_views.case_detail, name="case"),
        path("evaluations/", admin_views.evaluation_list, name="evaluations"),
        path("outbox/", admin_views.outbox_list, name="outbox"),
        path("outbox/retry/", admin_views.outbox_retry, name="outbox_retry"),
    ]
    return [
        path("bridge/", include((urls, "backend_bridge_admin"), namespace="backend_bridge_admin"))
    ]


class StaffMenuItem(MenuItem):
    def is_shown(self, request):
        return can_use_inbox(request.user)


@hooks.register("register_admin_menu_item")
def register_menu():
    submenu = Menu(
        items=[
            StaffMenuItem(
                "信访件受理台",
                reverse_lazy("backend_bridge_admin:cases"),
                icon_name="mail",
                order=100,
            ),
            StaffMenuItem(
                "满意度评价",
                reverse_lazy("backend_bridge_admin:evaluations"),
                icon_name="success",
                order=150,
            ),
            StaffMenuItem(
                "待发送消息",
                reverse_lazy("backend_bridge_admin:outbox"),
                icon_name="repeat",
                order=200,
            ),
        ]
    )
    return SubmenuMenuItem("互动交流", submenu, icon_name="mail", name="bridge", order=450)


# --- snippets of the leader board and people's suggestions -------------------------------------


def scope_to_portals(queryset, user):
    """Only the user's own portals' objects (all of them for superusers)."""
    if user.is_superuser:
        return queryset
    return queryset.filter(portal_id__in=portal_ids_for(user))


class PortalScopedForm(WagtailAdminModelForm):
    """The portal field offers only the user's own portals."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.for_user
        if user is not None and not user.is_superuser and "portal" in self.fields:
            field = self.fields["portal"]
            field.queryset = field.queryset.filter(pk__in=portal_ids_for(user))


class ScopedIndexView(IndexView):
    def get_base_queryset(self):
        return scope_to_portals(super().get_base_queryset(), self.request.user)


class ScopedEditView(EditView):
    def get_queryset(self):
        return scope_to_portals(super().get_queryset(), self.request.user)


class ScopedDeleteView(DeleteView):
    def get_queryset(self):
        return scope_to_portals(super().get_queryset(), self.request.user)


class PortalScopedViewSet(SnippetViewSet):
    index_view_class = ScopedIndexView
    edit_view_class = ScopedEditView
    delete_view_class = ScopedDeleteView
    copy_view_enabled = False
    inspect_view_enabled = False


class LeaderViewSet(PortalScopedViewSet):
    model = Leader
    icon = "user"
    menu_label = "领导"
    list_display = ["name", "title", "portal", "sort_order", "active"]
    list_filter = ["active"]
    search_fields = ["name", "title"]
    edit_handler = ObjectList(
        [
            FieldPanel("portal"),
            FieldPanel("name"),
            FieldPanel("title"),
            FieldPanel("photo"),
            FieldPanel("sort_order"),
            FieldPanel("active"),
        ],
        base_form_class=PortalScopedForm,
    )


class CampaignViewSet(PortalScopedViewSet):
    model = SuggestionCampaign
    icon = "calendar-alt"
    menu_label = "主题征集"
    list_display = ["title", "portal", "start_date", "end_date"]
    search_fields = ["title"]
    edit_handler = ObjectList(
        [
            FieldPanel("portal"),
            FieldPanel("title"),
            FieldPanel("intro"),
            FieldPanel("start_date"),
            FieldPanel("end_date"),
        ],
        base_form_class=PortalScopedForm,
    )


class DomainViewSet(SnippetViewSet):
    model = SuggestionDomain
    icon = "tag"
    menu_label = "建议领域"
    list_display = ["name", "sort_order", "active"]
    copy_view_enabled = False


class BoardAndSuggestionsGroup(SnippetViewSetGroup):
    menu_label = "留言与建议征集"
    menu_icon = "comment"
    menu_name = "board_and_suggestions"
    menu_order = 460
    items = (LeaderViewSet, CampaignViewSet, DomainViewSet)


register_snippet(BoardAndSuggestionsGroup)
