"""Admin screens of the channels: a page's deliveries with retry, the problem report, targets,
and the watch screens of APP push notices, APP devices and WeChat subscribe messages."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.views.generic import CreateView, InspectView
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets as snippet_views

from . import services
from .base import get_channel
from .models import (
    AppSession,
    ChannelTarget,
    Delivery,
    PushMessage,
    WeChatPush,
    WeChatPushItem,
)


def page_deliveries(request, page_id: int):
    """Each channel's state for one page, newest first, with a retry button for failures."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    deliveries = Delivery.objects.filter(page=page, push__isnull=True).select_related(
        "revision", "requested_by"
    )
    latest: dict[str, Delivery] = {}
    for delivery in deliveries:
        latest.setdefault(delivery.channel, delivery)
    for delivery in latest.values():
        # A channel that cannot edit what it published (WeChat) keeps the version it got.
        channel = get_channel(delivery.channel)
        delivery.outdated = bool(
            channel
            and not channel.republishes_updates
            and delivery.state == Delivery.State.PUBLISHED
            and page.live
            and delivery.revision_id
            and page.live_revision_id != delivery.revision_id
        )
    return TemplateResponse(
        request,
        "channels/page_deliveries.html",
        {
            "page": page,
            "latest": list(latest.values()),
            "history": deliveries[:50],
            "planned": services.channels_for(page) if page.live else [],
            "pushed": WeChatPushItem.objects.filter(page=page).select_related("push")[:20],
            "header_title": f"发布渠道：{page.get_admin_display_title()}",
        },
    )


@require_POST
def retry_delivery(request, delivery_id: int):
    delivery = get_object_or_404(Delivery, pk=delivery_id)
    page = delivery.page.specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    try:
        services.retry(delivery)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"已重新排队发送到“{delivery.channel_label}”。")
    return redirect("channels:page", page.pk)


@require_POST
def republish_page(request, page_id: int, channel: str):
    """An editor's explicit 重新发布 to a channel that keeps the version it first received."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    try:
        delivery = services.republish(page, channel, request.user)
    except ValueError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, f"已排队重新发布到“{delivery.channel_label}”，发布成功后将删除原来的文章。"
        )
    return redirect("channels:page", page.pk)


def problems(request):
    """Every delivery that failed or is stuck, in the portals the user edits."""
    rows = services.problems().select_related("page").order_by("-updated_at")
    if not request.user.is_superuser:
        rows = rows.filter(
            services.under(services.portal_roots(request.user, "change_page"), "page__path")
        )
    return TemplateResponse(
        request,
        "channels/problems.html",
        {"rows": rows[:500], "header_title": "渠道发布异常"},
    )


# --- which columns feed each channel ------------------------------------------------------------


class ChannelTargetPolicy(ModelPermissionPolicy):
    """Channels come from configuration: nobody adds or deletes them here. Portal administrators
    (who may publish) choose their own portal's columns; superusers see everything."""

    def user_has_permission(self, user, action):
        if action not in ("view", "change") or not user.is_active:
            return False
        return user.is_superuser or bool(services.portal_roots(user, "publish_page"))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


class ColumnChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, column):
        site = column.get_site()
        return f"{site.site_name if site else ''} › {column.title}"


class ChannelTargetForm(WagtailAdminModelForm):
    """The columns of the user's own portals only; other portals' choices stay as they are."""

    columns = ColumnChoices(
        queryset=Page.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="默认发布栏目",
        help_text="这些栏目中的文章经三审发布后默认同步到本渠道；文章的“发布渠道”可以另选。",
    )

    class Meta:
        model = ChannelTarget
        fields = ["enabled", "columns"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        columns = Page.objects.type(_column_model()).live().order_by("path")
        user = self.for_user
        if user is not None and not user.is_superuser:
            columns = columns.filter(services.under(services.portal_roots(user, "publish_page")))
            self.fields.pop("enabled")  # switching a channel off is the operators' decision
        self.editable_columns = columns
        self.fields["columns"].queryset = columns
        if self.instance.pk:
            self.initial["columns"] = list(self.instance.columns.filter(pk__in=columns))

    def save(self, commit=True):
        target = super().save(commit=False)
        target.save()
        others = target.columns.exclude(pk__in=self.editable_columns.values("pk"))
        target.columns.set([*others, *self.cleaned_data["columns"]])
        return target


def _column_model():
    from django.apps import apps

    return apps.get_model("cms", "ColumnPage")


# --- WeChat custom menu: save, then push to the account -----------------------------------------


class PushMenuMixin:
    """The snippet create/edit view of ``WeChatMenu`` with "保存并推送到公众号": the menu is saved
    as usual, then sent with ``menu/create``; the outcome is a message on the edit screen."""

    push_action = "action-push"

    def form_valid(self, form):
        response = super().form_valid(form)
        if self.push_action not in self.request.POST or not getattr(self.object, "pk", None):
            return response
        from .wechat.errors import WeChatError
        from .wechat.menu import MenuInvalid, push

        try:
            push(self.object)
        except (MenuInvalid, WeChatError) as error:
            messages.error(self.request, f"菜单已保存，但未能推送到公众号：{error}")
        else:
            messages.success(
                self.request,
                "菜单已推送到公众号。微信客户端一般在 5 分钟内更新，取消关注后重新关注可立即看到。",
            )
        return redirect(self.edit_url_name, self.object.pk)


class WeChatMenuCreateView(PushMenuMixin, snippet_views.CreateView):
    pass


class WeChatMenuEditView(PushMenuMixin, snippet_views.EditView):
    pass


# --- WeChat: an editor's push of several articles (多图文推送), published or mass-sent -------------


class WeChatPushPolicy(ModelPermissionPolicy):
    """Whoever may publish on a portal that feeds an account may push to it and see its pushes;
    a push is never edited or deleted (WeChat keeps what it got)."""

    def user_has_permission(self, user, action):
        from .wechat.pushes import accounts_for

        if action not in ("view", "add") or not user.is_active:
            return False
        return bool(accounts_for(user))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        from .wechat.pushes import accounts_for

        return self.user_has_permission(user, action) and instance.account in {
            account.code for account in accounts_for(user)
        }

    def instances_user_has_any_permission_for(self, user, actions):
        from .wechat.pushes import accounts_for

        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.model.objects.filter(account__in=[a.code for a in accounts_for(user)])


class ArticleChoice(forms.ModelChoiceField):
    def label_from_instance(self, page):
        return page.title


class WeChatPushForm(WagtailAdminModelForm):
    """Account, mode and up to eight articles in order; every problem is shown on the form."""

    confirm_mass_send = forms.BooleanField(
        label="我已核对内容，确认群发给全部关注者（群发后所有关注者都会收到，无法撤销发送）",
        required=False,
    )

    class Meta:
        model = WeChatPush
        fields = ["account", "mode"]

    def __init__(self, *args, **kwargs):
        from wagtail.admin.widgets import AdminPageChooser

        from cms.models import ArticlePage

        from .wechat.pushes import MAX_ARTICLES, accounts_for, mass_quota, pushable_articles

        super().__init__(*args, **kwargs)
        user = self.for_user
        accounts = accounts_for(user)
        self.accounts = {account.code: account for account in accounts}
        self.fields["account"].choices = [(a.code, str(a)) for a in accounts]
        self.fields["mode"].help_text = "；".join(f"{a.name}：{mass_quota(a)}" for a in accounts)
        articles = pushable_articles(user)
        self.article_fields = []
        for number in range(1, MAX_ARTICLES + 1):
            name = f"article_{number}"
            self.fields[name] = ArticleChoice(
                queryset=articles,
                required=number == 1,
                label=f"第 {number} 篇" + ("（头条）" if number == 1 else ""),
                widget=AdminPageChooser(target_models=[ArticlePage]),
                error_messages={
                    "required": "请选择头条文章",
                    "invalid_choice": "所选页面不是已发布的文章",
                },
            )
            self.article_fields.append(name)

    def chosen_articles(self) -> list:
        return [self.cleaned_data[n] for n in self.article_fields if self.cleaned_data.get(n)]

    def clean(self):
        from .wechat.pushes import check

        cleaned = super().clean()
        account = self.accounts.get(cleaned.get("account"))
        if account is None or self.errors:
            return cleaned
        mode = cleaned.get("mode")
        if mode == WeChatPush.Mode.MASS_SEND and not cleaned.get("confirm_mass_send"):
            self.add_error("confirm_mass_send", "群发前请勾选确认")
        for error in check(account, self.chosen_articles(), mode, self.for_user):
            self.add_error(None, error)
        return cleaned


class WeChatPushCreateView(CreateView):
    def save_instance(self):
        from .wechat.pushes import create_push

        form = self.form
        account = form.accounts[form.cleaned_data["account"]]
        return create_push(
            account, form.chosen_articles(), form.cleaned_data["mode"], self.request.user
        )

    def form_valid(self, form):
        from .wechat.pushes import PushInvalid

        try:
            return super().form_valid(form)
        except PushInvalid as error:
            # Something changed since the form was checked (another editor's mass send took
            # the last one of the quota a moment ago): the form again, with the reason.
            for message in error.errors:
                form.add_error(None, message)
            self.produced_error_code = "validation_error"
            self.produced_error_message = "推送未能排队，请按提示修改后重试。"
            return self.form_invalid(form)

    def get_success_message(self, instance):
        if instance.mode == instance.Mode.MASS_SEND:
            return f"已排队群发到“{instance.get_account_display()}”。"
        return f"已排队推送到“{instance.get_account_display()}”。"

    def get_success_url(self):
        return reverse("wechat_pushes:inspect", args=[self.object.pk])


class WeChatPushInspectView(InspectView):
    template_name = "channels/push_inspect.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["items"] = self.object.items.select_related("page")
        context["delivery"] = self.object.delivery
        return context


@require_POST
def retry_push(request, push_id: int):
    push = get_object_or_404(WeChatPush, pk=push_id)
    policy = WeChatPushPolicy(WeChatPush)
    if not policy.user_has_permission_for_instance(request.user, "add", push):
        raise PermissionDenied
    try:
        services.retry(push.delivery)
    except (ValueError, AttributeError):
        messages.error(request, "只有发送失败的推送可以重试")
    else:
        messages.success(request, "已重新排队发送。")
    return redirect("wechat_pushes:inspect", push.pk)


# --- what staff watch: APP push notices, APP devices, WeChat subscribe messages ----------------


#: Who watches a portal's channel traffic about citizens: its administrator and its handling
#: staff (受理/办理); content roles (编辑/审核/终审) do not see anything about submissions.
WATCHING_ROLES = ("admin", "intake", "handler")


def watched_portal_ids(user) -> list[int] | None:
    """Ids of the portals whose channel traffic ``user`` watches (None: every portal)."""
    from backend_bridge.services import inbox

    if not (user.is_authenticated and user.is_active):
        return []
    if user.is_superuser:
        return None
    # Asked for the menu, each action and each row of a listing: kept on the user object for the
    # request, like Wagtail's own permission caches.
    cached = getattr(user, "_channels_watched_portals", None)
    if cached is None:
        cached = user._channels_watched_portals = inbox.portal_ids_with_roles(user, WATCHING_ROLES)
    return list(cached)


class PortalScopedPolicy(ModelPermissionPolicy):
    """Read-only screens (plus ``extra_actions`` such as "retry") scoped to the portals the user
    watches: ``portal_lookup`` is the path from a row to its portal's id; nothing is added, edited
    or deleted through Wagtail's own views."""

    portal_lookup = ""
    extra_actions: tuple[str, ...] = ()

    def _actions(self):
        return ("view", *self.extra_actions)

    def user_has_permission(self, user, action):
        ids = watched_portal_ids(user)
        return action in self._actions() and (ids is None or bool(ids))

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def scope(self, user):
        ids = watched_portal_ids(user)
        queryset = self.model.objects.all()
        if ids is None:
            return queryset
        return queryset.filter(**{f"{self.portal_lookup}__in": ids}).distinct()

    def instances_user_has_any_permission_for(self, user, actions):
        if not self.user_has_any_permission(user, actions):
            return self.model.objects.none()
        return self.scope(user)

    def portal_id_of(self, instance):
        """The row's portal id read from the row (its relations are selected with it), or
        None when it cannot be read that way (then the database is asked)."""
        value = instance
        for name in self.portal_lookup.split("__") if self.portal_lookup else ():
            value = getattr(value, name, None)
            if value is None:
                return None
        return value if self.portal_lookup else None

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        ids = watched_portal_ids(user)
        if ids is None:
            return True
        portal_id = self.portal_id_of(instance)
        if portal_id is not None:
            return portal_id in ids
        return self.scope(user).filter(pk=instance.pk).exists()

    def users_with_any_permission(self, actions):
        return super().users_with_any_permission(actions).none()


class PushMessagePolicy(PortalScopedPolicy):
    portal_lookup = "event__submission__portal_id"
    extra_actions = ("retry",)


class WeChatNoticePolicy(PortalScopedPolicy):
    portal_lookup = "subscription__submission__portal_id"


class AppSessionPolicy(PortalScopedPolicy):
    """A citizen's device is seen on the portals they submitted to; a staff member's on the
    portals of their groups."""

    extra_actions = ("revoke",)

    def scope(self, user):
        from django.db.models import Q

        from sites.models import Portal
        from sites.registry import ROLES, group_name

        ids = watched_portal_ids(user)
        queryset = self.model.objects.select_related("account", "user")
        if ids is None:
            return queryset
        names = [
            group_name(name, role)
            for name in Portal.objects.filter(pk__in=ids).values_list("name", flat=True)
            for role in ROLES
        ]
        return queryset.filter(
            Q(kind=AppSession.Kind.CITIZEN, account__submissions__submission__portal_id__in=ids)
            | Q(kind=AppSession.Kind.STAFF, user__groups__name__in=names)
        ).distinct()


def _scoped_or_404(policy, request, action, pk):
    instance = get_object_or_404(policy.model, pk=pk)
    if not policy.user_has_permission(request.user, action):
        raise PermissionDenied
    if not policy.user_has_permission_for_instance(request.user, action, instance):
        raise Http404  # another portal's: not even a hint that it exists
    return instance


@require_POST
def retry_push_message(request, pk: int):
    from .app import push

    message = _scoped_or_404(PushMessagePolicy(PushMessage), request, "retry", pk)
    if push.retry(message):
        messages.success(request, "已重新排队发送该推送。")
    else:
        messages.warning(request, "该推送不是失败状态，无需重试。")
    return redirect("app_push_messages:index")


@require_POST
def revoke_app_session(request, pk: int):
    from .app import sessions

    session = _scoped_or_404(AppSessionPolicy(AppSession), request, "revoke", pk)
    if session.revoked_at is None:
        sessions.revoke(session, reason="admin")
        messages.success(request, f"已注销设备“{session.device_id}”的登录。")
    else:
        messages.warning(request, "该设备的登录已注销。")
    return redirect("app_sessions:index")
