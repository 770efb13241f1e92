"""Admin wiring of the channels: targets, a page's delivery states, the problem report, and the
"微信公众号" menu (welcome texts and keyword replies of the message callback, custom menus with
their "保存并推送到公众号" action)."""

from django.urls import include, path, reverse
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, PageChooserPanel
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import Button
from wagtail.permissions import register_permission_policy
from wagtail.snippets.action_menu import ActionMenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import services, views
from .models import ChannelTarget, WeChatKeywordReply, WeChatMenu, WeChatPush, WeChatWelcome
from .wechat.publish import MAX_ARTICLES


class ChannelTargetIndexView(IndexView):
    def get_base_queryset(self):
        services.sync_targets()  # the configuration may have changed since the last deployment
        return super().get_base_queryset()


class ChannelTargetViewSet(ModelViewSet):
    index_view_class = ChannelTargetIndexView
    model = ChannelTarget
    icon = "resubmit"
    menu_label = "发布渠道"
    add_to_settings_menu = True
    list_display = ["label", "code", "kind", "enabled"]
    form_fields = ["enabled", "columns"]
    inspect_view_enabled = False

    def get_form_class(self, for_update=False):
        return views.ChannelTargetForm


register_permission_policy(ChannelTarget, views.ChannelTargetPolicy(ChannelTarget))


@hooks.register("register_admin_viewset")
def register_channel_targets():
    return ChannelTargetViewSet("channel_targets")


class WeChatPushViewSet(ModelViewSet):
    """公众号推送: an editor chooses up to eight articles and publishes or mass-sends them."""

    model = WeChatPush
    icon = "mail"
    menu_label = "公众号推送"
    menu_order = 250
    add_to_admin_menu = True
    list_display = ["__str__", "mode", "state_label", "created_by", "created_at"]
    list_filter = ["account", "mode"]
    panels = [
        FieldPanel("account"),
        MultiFieldPanel(
            [FieldPanel(f"article_{n}") for n in range(1, MAX_ARTICLES + 1)],
            heading="文章（按公众号中的顺序，第 1 篇为头条，最多 8 篇）",
        ),
        FieldPanel("mode"),
        FieldPanel("confirm_mass_send"),
    ]
    inspect_view_enabled = True
    add_view_class = views.WeChatPushCreateView
    inspect_view_class = views.WeChatPushInspectView

    def get_form_class(self, for_update=False):
        return views.WeChatPushForm


register_permission_policy(WeChatPush, views.WeChatPushPolicy(WeChatPush))


@hooks.register("register_admin_viewset")
def register_wechat_pushes():
    return WeChatPushViewSet("wechat_pushes")


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("pages/<int:page_id>/", views.page_deliveries, name="page"),
        path("deliveries/<int:delivery_id>/retry/", views.retry_delivery, name="retry"),
        path(
            "pages/<int:page_id>/republish/<str:channel>/",
            views.republish_page,
            name="republish",
        ),
        path("problems/", views.problems, name="problems"),
        path("pushes/<int:push_id>/retry/", views.retry_push, name="retry_push"),
    ]
    return [path("channels/", include((urls, "channels"), namespace="channels"))]


@hooks.register("register_page_header_buttons")
def delivery_states_button(page, user, view_name, next_url=None):
    if page.pk and hasattr(page.specific_class, "channel_mode"):
        yield Button(
            "渠道发布状态",
            reverse("channels:page", args=[page.pk]),
            icon_name="resubmit",
            priority=85,
        )


@hooks.register("before_unpublish_page")
def choose_channels_to_withdraw(request, page):
    """The unpublish confirmation lists the channels the page is out on; unticked ones keep it."""
    if request.method == "POST" and request.POST.get("channels_choice"):
        chosen = set(request.POST.getlist("withdraw_from"))
        services.keep_on(page, {c for c, _ in services.published_on(page) if c not in chosen})


@hooks.register("after_unpublish_page")
def end_channel_choice(request, page):
    services.stop_keeping()


@hooks.register("register_reports_menu_item")
def register_problems_report():
    return MenuItem("渠道发布异常", reverse("channels:problems"), icon_name="warning", order=700)


# --- 微信公众号: what the message callback answers ------------------------------------------------


class WeChatWelcomeViewSet(SnippetViewSet):
    model = WeChatWelcome
    icon = "mail"
    menu_label = "欢迎语与默认回复"
    list_display = ["account", "updated_at"]
    panels = [FieldPanel("account"), FieldPanel("welcome_text"), FieldPanel("default_text")]


class WeChatKeywordReplyViewSet(SnippetViewSet):
    model = WeChatKeywordReply
    icon = "comment"
    menu_label = "关键词回复"
    list_display = ["keyword", "account", "match", "column", "enabled", "updated_at"]
    list_filter = ["account", "match", "enabled"]
    search_fields = ["keyword", "reply_text"]
    panels = [
        FieldPanel("account"),
        MultiFieldPanel([FieldPanel("keyword"), FieldPanel("match")], heading="关键词"),
        MultiFieldPanel(
            [FieldPanel("reply_text"), PageChooserPanel("column", page_type="cms.ColumnPage")],
            heading="回复内容（二选一）",
        ),
        FieldPanel("enabled"),
    ]


class WeChatMenuViewSet(SnippetViewSet):
    model = WeChatMenu
    icon = "list-ul"
    menu_label = "自定义菜单"
    list_display = ["account", "updated_at", "pushed_at"]
    panels = [FieldPanel("account"), FieldPanel("buttons")]
    add_view_class = views.WeChatMenuCreateView
    edit_view_class = views.WeChatMenuEditView


class PushMenuItem(ActionMenuItem):
    name = views.PushMenuMixin.push_action
    label = "保存并推送到公众号"
    icon_name = "upload"


@hooks.register("register_snippet_action_menu_item")
def register_push_menu_item(model):
    return PushMenuItem(order=10) if model is WeChatMenu else None


class WeChatGroup(SnippetViewSetGroup):
    items = (WeChatWelcomeViewSet, WeChatKeywordReplyViewSet, WeChatMenuViewSet)
    menu_icon = "mail"
    menu_label = "微信公众号"
    menu_name = "wechat"


register_snippet(WeChatGroup)


# --- APP content: the release management (channels.app.admin) --------------------------------


def _app_release_viewset():
    from wagtail.permissions import register_permission_policy as register_policy

    from .app.admin import AppReleasePolicy, AppReleaseViewSet
    from .models import AppRelease

    register_policy(AppRelease, AppReleasePolicy(AppRelease))
    return AppReleaseViewSet("app_releases")


_app_releases = _app_release_viewset()


@hooks.register("register_admin_viewset")
def register_app_releases():
    return _app_releases


@hooks.register("register_admin_viewset")
def register_channel_watch():
    from .admin_screens import ChannelWatchGroup, register_policies

    register_policies()
    return ChannelWatchGroup()
