"""Watch screens of the channels' traffic about citizens (Wagtail ModelViewSets, read-only):
APP push notices (推送记录, failures with their reason and a retry button), APP devices (登录设备
of citizens and staff, with a revoke button) and WeChat subscribe messages (订阅通知). Each is
scoped to the portals the user watches (``channels.views.PortalScopedPolicy``): a city's
administrator or handling staff see their portal's rows only; a superuser sees every portal's.
"""

from __future__ import annotations

from django.middleware.csrf import get_token
from django.urls import path, reverse
from wagtail.admin.ui.tables import BaseColumn, Column
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from . import views
from .models import AppSession, PushMessage, WeChatNotice


class ActionColumn(BaseColumn):
    """A POST button in a row (with the CSRF token), shown when ``show(instance)`` is true."""

    cell_template_name = "channels/admin/action_cell.html"

    def __init__(self, name, *, label, action_label, url_name, show, **kwargs):
        super().__init__(name, label=label, **kwargs)
        self.action_label, self.url_name, self.show = action_label, url_name, show

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        request = parent_context.get("request")
        if self.show(instance) and request is not None:
            context.update(
                action_url=reverse(self.url_name, args=[instance.pk]),
                action_label=self.action_label,
                action_code=self.name,
                csrf_value=get_token(request),
            )
        return context


class ScopedIndexView(IndexView):
    """The listing holds the rows of the user's portals only (Wagtail's own index lists every
    row of the model; the inspect view already asks the policy per row)."""

    related = ()

    def get_base_queryset(self):
        queryset = self.permission_policy.instances_user_has_any_permission_for(
            self.request.user, ["view"]
        )
        return queryset.select_related(*self.related) if self.related else queryset


class ReadOnlyViewSet(ModelViewSet):
    index_view_class = ScopedIndexView
    inspect_view_enabled = True
    add_to_admin_menu = False
    copy_view_enabled = False
    exclude_form_fields: list[str] = []  # never used: nothing is added or edited here
    index_related: tuple[str, ...] = ()

    def get_index_view_kwargs(self, **kwargs):
        return super().get_index_view_kwargs(related=self.index_related, **kwargs)


class PushMessageViewSet(ReadOnlyViewSet):
    name = "app_push_messages"
    model = PushMessage
    icon = "mail"
    menu_label = "APP 推送记录"
    index_related = ("event__submission__portal", "device")
    list_filter = ["state"]
    list_display = [
        "title",
        Column("portal", label="门户", accessor="event.submission.portal.name"),
        "state",
        "attempts",
        Column("last_error", label="失败原因"),
        "created_at",
        ActionColumn(
            "retry",
            label="操作",
            action_label="重试",
            url_name="app_push_messages:retry",
            show=lambda m: m.state == PushMessage.State.FAILED,
        ),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/retry/", views.retry_push_message, name="retry"),
        ]


class AppSessionViewSet(ReadOnlyViewSet):
    name = "app_sessions"
    model = AppSession
    icon = "mobile-alt"
    menu_label = "APP 登录设备"
    index_related = ("account", "user")
    list_filter = ["kind"]
    list_display = [
        "device_id",
        "kind",
        Column("owner", label="用户", accessor="owner_label"),
        "created_at",
        "last_used_at",
        Column("revoked_at", label="注销时间"),
        Column("revoke_reason", label="注销原因"),
        ActionColumn(
            "revoke",
            label="操作",
            action_label="注销登录",
            url_name="app_sessions:revoke",
            show=lambda s: s.revoked_at is None,
        ),
    ]

    def get_urlpatterns(self):
        return super().get_urlpatterns() + [
            path("<int:pk>/revoke/", views.revoke_app_session, name="revoke"),
        ]


class WeChatNoticeViewSet(ReadOnlyViewSet):
    name = "wechat_notices"
    model = WeChatNotice
    icon = "mail"
    menu_label = "微信订阅通知"
    index_related = ("subscription__submission__portal",)
    list_filter = ["state"]
    list_display = [
        Column("title", label="信访件", accessor="subscription.submission.title"),
        Column("portal", label="门户", accessor="subscription.submission.portal.name"),
        Column("account", label="公众号", accessor="subscription.account"),
        "state",
        "attempts",
        Column("last_error", label="失败原因"),
        "sent_at",
        "created_at",
    ]


def register_policies() -> None:
    from wagtail.permissions import register_permission_policy

    register_permission_policy(PushMessage, views.PushMessagePolicy(PushMessage))
    register_permission_policy(AppSession, views.AppSessionPolicy(AppSession))
    register_permission_policy(WeChatNotice, views.WeChatNoticePolicy(WeChatNotice))


class ChannelWatchGroup(ViewSetGroup):
    """“渠道监控” in the admin menu: what went out to citizens' phones and who is signed in."""

    menu_label = "渠道监控"
    menu_icon = "site"
    menu_order = 8900
    items = (PushMessageViewSet, AppSessionViewSet, WeChatNoticeViewSet)
