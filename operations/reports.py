"""Inspection reports: stored per portal and for the group, shown as HTML with server-side SVG
charts (no script, no external resource) and exported as XLSX (openpyxl)."""

from __future__ import annotations

import io
import time
from collections import Counter
from pathlib import Path

from django.template.loader import render_to_string
from django.utils import timezone

from .inspection import SEVERITIES, Finding, inspect, summarize
from .models import InspectionReport

COLUMNS = [
    ("severity", "级别"),
    ("category", "类别"),
    ("indicator", "指标"),
    ("where", "位置"),
    ("url", "地址"),
    ("detail", "说明"),
    ("why", "为什么重要"),
    ("fix", "如何整改"),
]
SEVERITY_COLOURS = {"严重": "#b81c22", "警告": "#d98c00", "提示": "#2b6cb0"}


def run_inspection(portals, *, trigger: str = "命令", pages=True, links=True):
    """Inspect ``portals`` and store one report per portal and one for the group."""
    started = time.monotonic()
    findings = inspect(portals, pages=pages, links=links)
    now = timezone.now()
    duration = time.monotonic() - started
    reachable = None
    for f in findings:
        if f.indicator == "外部链接未检查":
            reachable = False
    reports = []
    for portal in portals:
        own = [f for f in findings if f.portal == portal.code]
        reports.append(
            InspectionReport.objects.create(
                portal=portal,
                created_at=now,
                trigger=trigger,
                findings=[f.as_dict() for f in own],
                summary=summarize(own),
                network_reachable=reachable,
                duration_seconds=duration,
            )
        )
    group = InspectionReport.objects.create(
        portal=None,
        created_at=now,
        trigger=trigger,
        findings=[f.as_dict() for f in findings],
        summary={**summarize(findings), "portals": [p.code for p in portals]},
        network_reachable=reachable,
        duration_seconds=duration,
    )
    return reports, group


def bar_chart(counts: dict[str, int], colours: dict[str, str] | None = None, width=520) -> str:
    """A horizontal bar chart as inline SVG (rendered on the server, readable without script)."""
    from django.utils.html import escape

    items = list(counts.items())
    if not items:
        return ""
    row, label_w = 28, 150
    top = max(v for _, v in items) or 1
    height = row * len(items) + 10
    bars = []
    for i, (label, value) in enumerate(items):
        y = 5 + i * row
        w = int((width - label_w - 60) * value / top)
        colour = (colours or {}).get(label, "#4a5568")
        bars.append(
            f'<text x="{label_w - 8}" y="{y + 17}" text-anchor="end">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y + 4}" width="{max(w, 1)}" height="18" fill="{colour}"/>'
            f'<text x="{label_w + max(w, 1) + 6}" y="{y + 17}">{value}</text>'
        )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" '
        f'font-size="13" font-family="sans-serif">{"".join(bars)}</svg>'
    )


def previous_of(report: InspectionReport) -> InspectionReport | None:
    return (
        InspectionReport.objects.filter(portal=report.portal, created_at__lt=report.created_at)
        .order_by("-created_at")
        .first()
    )


def report_context(report: InspectionReport) -> dict:
    findings = report.findings
    order = {s: i for i, s in enumerate(SEVERITIES)}
    findings = sorted(findings, key=lambda f: (order.get(f["severity"], 9), f["category"]))
    previous = previous_of(report)
    by_portal = Counter(f["portal"] or "系统" for f in findings)
    from sites.models import Portal

    names = dict(Portal.objects.values_list("code", "name"))
    return {
        "report": report,
        "findings": findings,
        "severity_chart": bar_chart({s: report.count(s) for s in SEVERITIES}, SEVERITY_COLOURS),
        "category_chart": bar_chart(report.summary.get("by_category", {})),
        "portal_chart": bar_chart({names.get(code, code): n for code, n in by_portal.most_common()})
        if report.portal_id is None
        else "",
        "previous": previous,
        "change": report.total - previous.total if previous else None,
        "columns": COLUMNS,
    }


def render_html(report: InspectionReport, *, standalone: bool = True) -> str:
    context = report_context(report)
    context["standalone"] = standalone
    return render_to_string("operations/report.html", context)


def render_xlsx(report: InspectionReport) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "问题清单"
    sheet.append([label for _, label in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for finding in report.findings:
        sheet.append([finding.get(key, "") for key, _ in COLUMNS])
        colour = SEVERITY_COLOURS.get(finding.get("severity"), "").lstrip("#")
        if colour:
            sheet.cell(sheet.max_row, 1).font = Font(color=colour, bold=True)
    for letter, width in zip("ABCDEFGH", (8, 12, 18, 28, 30, 50, 40, 40), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    summary = book.create_sheet("汇总")
    summary.append(["范围", report.scope_label])
    summary.append(["巡检时间", timezone.localtime(report.created_at).strftime("%Y-%m-%d %H:%M")])
    summary.append(["问题总数", report.total])
    for severity in SEVERITIES:
        summary.append([severity, report.count(severity)])
    summary["A1"].fill = PatternFill("solid", fgColor="EEEEEE")
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_files(report: InspectionReport, out_dir) -> list[Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    scope = report.portal.code if report.portal_id else "group"
    stem = f"inspection-{scope}-{timezone.localtime(report.created_at):%Y%m%d-%H%M}"
    html, xlsx = out / f"{stem}.html", out / f"{stem}.xlsx"
    html.write_text(render_html(report), encoding="utf-8")
    xlsx.write_bytes(render_xlsx(report))
    return [html, xlsx]


__all__ = ["Finding", "run_inspection", "render_html", "render_xlsx", "write_files"]
