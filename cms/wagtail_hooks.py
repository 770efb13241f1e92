"""Admin integration of the cms app: what the page chooser offers each portal's staff, and the
screens of pushes to other portals (推送) and their review by the receiving portal (接收审核)."""

from django.db.models import Q
from django.urls import include, path
from wagtail import hooks
from wagtail.log_actions import LogFormatter
from wagtail.models import GroupPagePermission
from wagtail.permissions import register_permission_policy

from cms import share_views, sharing
from cms.models import ArticleShare

# Registered before any admin code asks for ArticleShare's policy (Wagtail would make a default).
register_permission_policy(ArticleShare, share_views.IncomingSharePolicy())


@hooks.register("construct_page_chooser_queryset")
def own_portal_or_published(pages, request):
    """Staff choose among their own portal's pages, and among other portals' live pages only
    (share targets, links): another portal's drafts never appear in a chooser."""
    user = request.user
    if user.is_superuser:
        return pages
    roots = GroupPagePermission.objects.filter(group__user=user).values_list(
        "page__path", flat=True
    )
    own = Q()
    for root in set(roots):
        own |= Q(path__startswith=root)
    return pages.filter(own | Q(live=True))


# --- pushes to other portals (推送) and their review (接收审核) -----------------------------------


@hooks.register("register_admin_viewset")
def incoming_shares_viewset():
    return share_views.IncomingShareViewSet()


@hooks.register("register_admin_urls")
def share_urls():
    urls = [
        path("<int:page_id>/", share_views.push, name="push"),
        path("withdraw/<int:share_id>/", share_views.withdraw, name="withdraw"),
    ]
    return [path("article-push/", include((urls, "cms_share"), namespace="cms_share"))]


@hooks.register("register_page_header_buttons")
def push_header_button(page, user, view_name, next_url=None):
    yield share_views.PushButton(page=page, priority=75)


@hooks.register("register_page_listing_more_buttons")
def push_listing_button(page, user, next_url=None):
    yield share_views.PushButton(page=page, priority=45)


class _ShareLogFormatter(LogFormatter):
    template = ""

    def format_message(self, log_entry):
        return self.template.format(column=(log_entry.data or {}).get("column", "其他门户栏目"))

    def format_comment(self, log_entry):
        return (log_entry.data or {}).get("reason", "")


@hooks.register("register_log_actions")
def share_log_actions(actions):
    for action, label, template in (
        (sharing.LOG_PUSH, "推送到其他门户", "推送到“{column}”，等待对方接收"),
        (sharing.LOG_WITHDRAW, "撤回推送", "撤回了推送到“{column}”的文章"),
        (sharing.LOG_ACCEPT, "推送已接收", "“{column}”接收了推送"),
        (sharing.LOG_DECLINE, "推送被拒绝", "“{column}”拒绝了推送"),
        (sharing.LOG_REOPEN, "推送待重新接收", "文章更新后须由“{column}”重新审核接收"),
    ):
        actions.register_action(action)(
            type("ShareLogFormatter", (_ShareLogFormatter,), {"label": label, "template": template})
        )
