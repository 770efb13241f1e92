"""The admin's statistics page (数据统计) and its XLSX export; thin over ``stats.services``."""

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.template.response import TemplateResponse

from . import charts, exports, services
from .forms import StatisticsFilterForm


def statistics(request):
    portals = services.visible_portals(request.user)
    if not portals.exists():
        raise PermissionDenied
    form = StatisticsFilterForm(request.GET, portals)
    context = {"form": form, "header_title": "数据统计"}
    if form.is_valid():
        data = form.cleaned_data
        scope = services.Scope(
            data["portals"], data["start"], data["end"], data["source"], data["column"]
        )
        figures = services.overview(scope)
        if request.GET.get("format") == "xlsx":
            response = HttpResponse(
                exports.statistics_xlsx(scope, figures),
                content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            )
            filename = f"statistics-{scope.start}-{scope.end}.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
            return response
        interaction = figures["interaction"]
        context.update(
            scope=scope,
            figures=figures,
            traffic_chart=charts.bar_chart(
                scope.months,
                [
                    ("访问量", figures["traffic"]["views_by_month"]),
                    ("独立访客", figures["traffic"]["visitors_by_month"]),
                ],
            ),
            content_chart=charts.bar_chart(
                scope.months, [("发布文章", figures["content"]["articles_by_month"])]
            ),
            interaction_chart=charts.bar_chart(
                scope.months,
                [
                    (row["label"], interaction["by_month"][row["kind"]])
                    for row in interaction["kinds"]
                ],
            ),
            month_rows=_month_rows(scope, figures),
            export_query=request.GET.urlencode(),
        )
    return TemplateResponse(request, "stats/admin/statistics.html", context)


def _month_rows(scope, figures):
    """Per month: views, visitors, articles and each kind of submission (the charts' table)."""
    interaction = figures["interaction"]
    rows = []
    for i, month in enumerate(scope.months):
        rows.append(
            {
                "month": month,
                "views": figures["traffic"]["views_by_month"][i],
                "visitors": figures["traffic"]["visitors_by_month"][i],
                "articles": figures["content"]["articles_by_month"][i],
                "kinds": [interaction["by_month"][row["kind"]][i] for row in interaction["kinds"]],
            }
        )
    return rows
