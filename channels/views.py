"""Admin screens of the channels: a page's deliveries with retry, the problem report, targets."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.models import GroupPagePermission, Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.snippets.views import snippets as snippet_views

from . import services
from .base import get_channel
from .models import ChannelTarget, Delivery


def _roots(user, permission: str) -> list[str]:
    """Tree paths of the portals where ``user`` holds ``permission`` (e.g. "change_page")."""
    return list(
        GroupPagePermission.objects.filter(
            group__user=user, permission__codename=permission
        ).values_list("page__path", flat=True)
    )


def _under(paths: list[str], field: str = "path") -> Q:
    condition = Q(pk__in=[])
    for path in paths:
        condition |= Q(**{f"{field}__startswith": path})
    return condition


def page_deliveries(request, page_id: int):
    """Each channel's state for one page, newest first, with a retry button for failures."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not page.permissions_for_user(request.user).can_edit():
        raise PermissionDenied
    deliveries = Delivery.objects.filter(page=page).select_related("revision", "requested_by")
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
        rows = rows.filter(_under(_roots(request.user, "change_page"), "page__path"))
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
        return user.is_superuser or bool(_roots(user, "publish_page"))

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
            columns = columns.filter(_under(_roots(user, "publish_page")))
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
