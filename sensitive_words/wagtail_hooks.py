"""Wagtail admin wiring: dictionary snippets, admin URLs, the page header button, save checks."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.dispatch import receiver
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.log_actions import LogFormatter
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.signals import pre_page_move
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import gate, views
from .models import AllowPhrase, Clearance, Dictionary, ExpressionRule, SensitiveWord

logger = logging.getLogger(__name__)


class DictionaryViewSet(SnippetViewSet):
    model = Dictionary
    icon = "list-ul"
    menu_label = "词库"
    list_display = ["name", "site_code", "enabled", "updated_at"]
    list_filter = ["enabled", "site_code"]
    search_fields = ["name", "description"]


class SensitiveWordViewSet(SnippetViewSet):
    model = SensitiveWord
    icon = "warning"
    menu_label = "敏感词"
    list_display = ["word", "dictionary", "category", "level", "suggestion", "enabled"]
    list_filter = ["dictionary", "category", "level", "enabled", "match_pinyin"]
    search_fields = ["word", "suggestion"]
    list_per_page = 100


class AllowPhraseViewSet(SnippetViewSet):
    model = AllowPhrase
    icon = "success"
    menu_label = "白名单"
    list_display = ["phrase", "dictionary", "site_code"]
    list_filter = ["dictionary", "site_code"]
    search_fields = ["phrase"]


class ExpressionRuleViewSet(SnippetViewSet):
    model = ExpressionRule
    icon = "code"
    menu_label = "表述规范规则"
    list_display = ["name", "pattern", "suggestion", "level", "enabled"]
    list_filter = ["dictionary", "level", "enabled"]
    search_fields = ["name", "pattern", "suggestion"]


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Confirmations are an audit record: they can be looked at, never added, edited or removed."""

    def user_has_permission(self, user, action):
        return action == "view" and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return "view" in actions and super().user_has_permission(user, "view")


class ClearanceViewSet(SnippetViewSet):
    model = Clearance
    icon = "tick-inverse"
    menu_label = "确认记录"
    list_display = ["word", "field_label", "site_code", "page", "confirmed_by", "confirmed_at"]
    list_filter = ["site_code", "level"]
    search_fields = ["word", "context", "note"]
    inspect_view_enabled = True


register_permission_policy(Clearance, ReadOnlyPolicy(Clearance))


class SensitiveWordsGroup(SnippetViewSetGroup):
    items = (
        DictionaryViewSet,
        SensitiveWordViewSet,
        AllowPhraseViewSet,
        ExpressionRuleViewSet,
        ClearanceViewSet,
    )
    menu_icon = "warning"
    menu_label = "敏感词监控"
    menu_name = "sensitive-words"

    def get_submenu_items(self):
        return [
            *super().get_submenu_items(),
            MenuItem(
                "导入与导出",
                reverse_lazy("sensitive_words:import_export"),
                icon_name="download",
                order=900,
            ),
        ]


register_snippet(SensitiveWordsGroup)


@hooks.register("register_admin_urls")
def register_admin_urls():
    urls = [
        path("pages/<int:page_id>/", views.page_check, name="page_check"),
        path("import-export/", views.import_export, name="import_export"),
        path("export/<int:dictionary_id>/<str:fmt>/", views.export, name="export"),
    ]
    return [
        path("sensitive-words/", include((urls, "sensitive_words"), namespace="sensitive_words"))
    ]


@hooks.register("register_page_header_buttons")
def page_check_button(page, user, view_name, next_url=None):
    if page.pk and not page.is_root():
        yield Button(
            "敏感词检查",
            reverse("sensitive_words:page_check", args=[page.pk]),
            icon_name="warning",
            priority=80,
        )


GATED_ACTIONS = (
    "action-publish",
    "action-submit",
    "action-restart-workflow",
    "action-workflow-action",
)


def _report_hits_on_save(request, page):
    """After saving a draft: one notice naming what the saved revision still contains.

    Publish, submit and approve never get here with unpublishable content (the page form refuses
    them with the hits listed), so only a plain save reports; it never blocks saving.
    """
    if any(request.POST.get(name) for name in GATED_ACTIONS):
        return
    try:
        verdict = gate.assess(page.get_latest_revision_as_object())
    except Exception:  # a failing check must not lose the editor's work
        logger.exception("sensitive_words: check after save failed for page %s", page.pk)
        return
    if verdict.ok:
        return
    url = reverse("sensitive_words:page_check", args=[page.pk])
    if verdict.blocked:
        text = "草稿中有 {} 处禁止发布的敏感词：{}。修改前不能发布或提交审核。"
        rows = verdict.blocked
    else:
        text = "草稿中有 {} 处需人工审核的词语：{}。发布前须由审核人员确认。"
        rows = verdict.pending
    messages.warning(
        request,
        format_html(text + ' <a href="{}">查看详情</a>', len(rows), gate.describe(rows), url),
    )


@hooks.register("after_edit_page")
def check_after_edit(request, page):
    _report_hits_on_save(request, page)


@hooks.register("after_create_page")
def check_after_create(request, page):
    _report_hits_on_save(request, page)


def _refuse(request, verdict, what: str, back: str):
    messages.error(request, f"{what}{verdict.message()}")
    return redirect(back)


@hooks.register("before_copy_page")
def gate_copy_with_publication(request, page):
    """Copying with “发布副本” publishes the copy where it lands: it must pass that portal's gate."""
    if request.method != "POST" or not request.POST.get("publish_copies"):
        return None
    try:
        destination = Page.objects.get(pk=request.POST.get("new_parent_page"))
    except (Page.DoesNotExist, ValueError, TypeError):
        return None  # the copy form reports the missing destination itself
    site = gate.site_code_at(destination.path)
    for source in _live_pages(page, request.POST.get("copy_subpages")):
        verdict = gate.assess(source, site)
        if not verdict.ok:
            return _refuse(
                request,
                verdict,
                f"不能复制并发布“{source.title}”：",
                reverse("wagtailadmin_pages:copy", args=[page.pk]),
            )
    return None


@hooks.register("before_move_page")
def gate_move_into_another_portal(request, page, destination):
    """A live page moved into another portal goes live there: it must pass that portal's gate."""
    verdict = move_verdict(page, destination)
    if verdict is not None:
        source, verdict = verdict
        return _refuse(
            request,
            verdict,
            f"不能把“{source.title}”移动到该门户：",
            reverse("wagtailadmin_pages:move", args=[page.pk]),
        )
    return None


@hooks.register("before_bulk_action")
def gate_bulk_publish(request, action_type, objects, action_class_instance):
    if action_type != "publish":
        return None
    pages = [getattr(obj, "specific", obj) for obj in objects]
    if request.POST.get("include_descendants"):
        for obj in objects:
            pages += list(obj.get_descendants().not_live().specific())
    for page in pages:
        verdict = gate.assess(page.get_latest_revision_as_object())
        if not verdict.ok:
            messages.error(request, f"“{page.title}”未发布，其他页面也未发布：{verdict.message()}")
            return redirect(action_class_instance.next_url or reverse("wagtailadmin_home"))
    return None


def _live_pages(page, with_descendants):
    pages = [page.specific]
    if with_descendants:
        pages += list(page.get_descendants().live().specific())
    return [p for p in pages if p.live]


def move_verdict(page, destination):
    """(page, verdict) for the first live page that the move would publish on another portal and
    that the gate refuses there; None when the move publishes nothing new."""
    site_before = gate.site_code_at(page.path)
    site_after = gate.site_code_at(destination.path)
    if site_before == site_after:
        return None
    for source in _live_pages(page, True):
        verdict = gate.assess(source, site_after)
        if not verdict.ok:
            return source, verdict
    return None


@receiver(pre_page_move)
def _refuse_unpublishable_move(sender, instance, parent_page_before, parent_page_after, **kwargs):
    """The backstop under every move, whoever calls ``MovePageAction``."""
    refused = move_verdict(instance, parent_page_after)
    if refused is not None:
        source, verdict = refused
        raise gate.PublicationRefused(verdict, f"不能把“{source.title}”移动到该门户：")


@hooks.register("register_log_actions")
def register_gate_log_actions(actions):
    @actions.register_action("sensitive_words.publish_refused")
    class PublishRefusedFormatter(LogFormatter):
        label = "定时发布被敏感词检查拒绝"

        def format_message(self, log_entry):
            return f"定时发布被拒绝：{log_entry.data.get('reason', '')}"
