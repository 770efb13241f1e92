"""Wagtail admin wiring: dictionary snippets, admin URLs, the page header button, save checks."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.urls import include, path, reverse, reverse_lazy
from django.utils.html import format_html
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.admin.widgets import Button
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import services, views
from .engine import BLOCK
from .models import AllowPhrase, Dictionary, ExpressionRule, SensitiveWord

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


class SensitiveWordsGroup(SnippetViewSetGroup):
    items = (DictionaryViewSet, SensitiveWordViewSet, AllowPhraseViewSet, ExpressionRuleViewSet)
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


def _report_hits_on_save(request, page):
    """After saving: tell the editor what the sensitive-words check found, never block saving."""
    try:
        hits = services.check_page(page)
    except Exception:  # a failing check must not lose the editor's work
        logger.exception("sensitive_words: check after save failed for page %s", page.pk)
        return
    if not hits:
        return
    url = reverse("sensitive_words:page_check", args=[page.pk])
    blocked = sum(h.hit.level == BLOCK for h in hits)
    words = "、".join(dict.fromkeys(h.hit.word for h in hits[:8]))
    if blocked:
        messages.error(
            request,
            format_html(
                '发现 {} 处禁止发布的敏感词（{}），提交审核时将被退回。<a href="{}">查看详情</a>',
                blocked,
                words,
                url,
            ),
        )
    else:
        messages.warning(
            request,
            format_html(
                '发现 {} 处需人工确认的词语（{}）。<a href="{}">查看详情</a>', len(hits), words, url
            ),
        )


@hooks.register("after_edit_page")
def check_after_edit(request, page):
    _report_hits_on_save(request, page)


@hooks.register("after_create_page")
def check_after_create(request, page):
    _report_hits_on_save(request, page)
