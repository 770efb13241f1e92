"""Wagtail admin views: the editor's highlighted view of a page's hits, import and export."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from wagtail.models import Page

from . import gate, services
from .engine import LEVEL_LABELS, SEVERITY
from .models import Dictionary

EXPORT_TYPES = {
    "txt": "text/plain; charset=utf-8",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def highlight(text: str, hits: list) -> str:
    """HTML of ``text`` with every hit wrapped in <mark> (nested/overlapping hits: the outer one)."""
    out, cursor = [], 0
    for ph in sorted(hits, key=lambda h: (h.hit.start, -h.hit.end)):
        hit = ph.hit
        if hit.start < cursor:
            continue
        out.append(format_html("{}", text[cursor : hit.start]))
        title = f"{hit.word}｜{hit.category}｜{LEVEL_LABELS[hit.level]}"
        if hit.suggestion:
            title += f"｜建议：{hit.suggestion}"
        out.append(
            format_html(
                '<mark class="sw-hit sw-{}" title="{}">{}</mark>',
                hit.level,
                title,
                text[hit.start : hit.end],
            )
        )
        cursor = hit.end
    out.append(format_html("{}", text[cursor:]))
    return mark_safe("".join(out))  # noqa: S308 - every piece above is escaped by format_html


def _may_approve(page, user) -> bool:
    """A reviewer of the step in front of the page, or someone who may publish it."""
    if page.permissions_for_user(user).can_publish():
        return True
    task = page.current_workflow_task
    return bool(task and any(name == "approve" for name, *_ in task.get_actions(page, user)))


def _user_can_review(page, user) -> bool:
    return page.permissions_for_user(user).can_edit() or _may_approve(page, user)


def page_check(request, page_id: int):
    """Every hit of the page's latest draft, highlighted in context per field; reviewers confirm
    the review-level hits here (POST), which the gate records."""
    page = get_object_or_404(Page, pk=page_id).specific
    if not _user_can_review(page, request.user):
        raise PermissionDenied
    draft = page.get_latest_revision_as_object()
    verdict = gate.assess(draft)
    may_confirm = _may_approve(page, request.user)
    if request.method == "POST":
        if not may_confirm:
            raise PermissionDenied
        if verdict.blocked:
            messages.error(request, f"不能确认：{verdict.message()}")
        elif not verdict.pending:
            messages.info(request, "没有需要确认的词语。")
        elif request.POST.get("confirm") != "1":
            messages.error(request, "请勾选“我已逐条核对”后再确认。")
        else:
            count = gate.confirm(
                verdict,
                request.user,
                page=page,
                revision=page.get_latest_revision(),
                note=request.POST.get("note", "")[:500],
            )
            messages.success(
                request, f"已确认 {count} 处需人工审核的词语，现在可以继续审核或发布。"
            )
        return redirect("sensitive_words:page_check", page.pk)
    hits = verdict.hits
    fields: dict[str, dict] = {}
    for ph in hits:
        entry = fields.setdefault(
            ph.path, {"label": ph.label, "path": ph.path, "text": ph.text, "hits": []}
        )
        entry["hits"].append(ph)
    for entry in fields.values():
        entry["html"] = highlight(entry["text"], entry["hits"])
    rows = sorted(hits, key=lambda h: (-SEVERITY[h.hit.level], h.path, h.hit.start))
    pending = {id(h) for h in verdict.pending}
    return TemplateResponse(
        request,
        "sensitive_words/page_check.html",
        {
            "page": page,
            "fields": list(fields.values()),
            "rows": [(row, id(row) in pending) for row in rows],
            "verdict": verdict,
            "may_confirm": may_confirm,
            "level_labels": LEVEL_LABELS,
            "blocked": bool(verdict.blocked),
            "header_title": f"敏感词检查：{page.get_admin_display_title()}",
        },
    )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="词库文件", help_text="TXT 每行一个词；CSV/XLSX 四列：词语、分类、级别、建议写法。"
    )
    dictionary = forms.CharField(label="导入到词库", max_length=64, initial="导入词库")
    allow = forms.BooleanField(label="导入到白名单", required=False)

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if services.format_of(upload.name) not in ("txt", "csv", "xlsx"):
            raise forms.ValidationError("只支持 .txt、.csv、.xlsx 文件")
        return upload


@permission_required("sensitive_words.add_sensitiveword", raise_exception=True)
def import_export(request):
    report = None
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                report = services.import_words(
                    upload.read(),
                    services.format_of(upload.name),
                    form.cleaned_data["dictionary"],
                    allow=form.cleaned_data["allow"],
                )
            except ValueError as exc:
                form.add_error("file", str(exc))
    else:
        form = ImportForm()
    return TemplateResponse(
        request,
        "sensitive_words/import_export.html",
        {
            "form": form,
            "report": report,
            "dictionaries": Dictionary.objects.all(),
            "header_title": "敏感词库导入与导出",
        },
    )


@permission_required("sensitive_words.view_sensitiveword", raise_exception=True)
def export(request, dictionary_id: int, fmt: str):
    dictionary = get_object_or_404(Dictionary, pk=dictionary_id)
    if fmt not in EXPORT_TYPES:
        raise PermissionDenied
    response = HttpResponse(services.export_words(dictionary, fmt), content_type=EXPORT_TYPES[fmt])
    filename = f"sensitive_words_{dictionary.pk}.{fmt}"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
