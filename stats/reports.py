"""The national reports: 政府网站工作年度报表 and the quarterly self-check (季度自查报告).

A report is a list of ``Row``s in the official layout. A row's value comes from the system's own
records (through ``stats.services``, the same figures as the statistics page) or, where the
system cannot know it (在线访谈 held elsewhere, who signs the report), is left for the editor and
marked ``TO_FILL``. The same rows become the HTML page, the XLSX file and the draft article that
goes through 三审 before it is published on the portal.
"""

from __future__ import annotations

from dataclasses import dataclass
from io import BytesIO

from django.template.loader import render_to_string
from django.utils import timezone

from cms.models import ColumnPage
from sites.models import PortalSettings

from . import services

TO_FILL = "【待编辑填写】"


@dataclass
class Row:
    section: str
    item: str
    value: object = None  # None: the editor fills it in
    unit: str = ""
    note: str = ""

    @property
    def known(self) -> bool:
        return self.value is not None

    @property
    def shown(self) -> str:
        if self.value is None:
            return TO_FILL
        if isinstance(self.value, bool):
            return "是" if self.value else "否"
        return str(self.value)


@dataclass
class Report:
    title: str
    portal: object
    period: str
    rows: list

    @property
    def missing(self) -> list:
        return [row for row in self.rows if not row.known]

    def sections(self) -> list[tuple[str, list]]:
        grouped: dict[str, list] = {}
        for row in self.rows:
            grouped.setdefault(row.section, []).append(row)
        return list(grouped.items())


def _settings(portal) -> PortalSettings:
    return PortalSettings.for_site(portal.site)


def _kind_row(figures: dict, kind: str) -> dict:
    return next(row for row in figures["kinds"] if row["kind"] == kind)


def _fill(value):
    """An empty setting is for the editor to fill, not a blank cell."""
    return value or None


def annual(portal, year: int) -> Report:
    scope = services.year_scope([portal], year)
    data = services.overview(scope)
    site_settings = _settings(portal)
    traffic, content, interaction = data["traffic"], data["content"], data["interaction"]
    kinds = content["by_kind"]
    messages = _kind_row(interaction, "leader_message")
    petitions = _kind_row(interaction, "petition")
    suggestions = _kind_row(interaction, "suggestion")
    accounts = data["wechat"]["accounts"]
    kind = ColumnPage.StatisticsKind
    system = "系统统计"
    rows = [
        Row("基本信息", "网站名称", portal.name),
        Row("基本信息", "首页网址", portal.site.root_url),
        Row("基本信息", "主办单位", _fill(site_settings.sponsor)),
        Row("基本信息", "网站类型", "政府门户网站" if portal.is_regional else "部门网站"),
        Row("基本信息", "政府网站标识码", _fill(site_settings.site_identifier)),
        Row("基本信息", "ICP备案号", _fill(site_settings.icp_number)),
        Row("基本信息", "公安机关备案号", _fill(site_settings.police_number)),
        Row("访问量", "独立用户访问总量", traffic["visitors"], "个", "按日去重的访客数之和"),
        Row("访问量", "网站总访问量", traffic["views"], "次", "页面浏览次数（含静态页访问日志）"),
        Row("信息发布", "总数", content["articles"], "条", system),
        Row(
            "信息发布", "概况类信息更新量", kinds[kind.OVERVIEW], "条", "栏目统计类型为“概况类信息”"
        ),
        Row("信息发布", "政务动态信息更新量", kinds[kind.NEWS], "条", "栏目统计类型为“政务动态”"),
        Row(
            "信息发布",
            "信息公开目录信息更新量",
            kinds[kind.DISCLOSURE],
            "条",
            "栏目统计类型为“信息公开目录”",
        ),
        Row("专栏专题", "维护数量", content["topics"], "个", system),
        Row("专栏专题", "新开设数量", content["topics_new"], "个", system),
        Row("解读回应", "政策解读总数", kinds[kind.INTERPRETATION], "条", "栏目统计类型为“解读”"),
        Row("解读回应", "解读材料数量", None, "条"),
        Row("解读回应", "解读产品数量", None, "条"),
        Row("解读回应", "媒体评论文章数量", None, "篇"),
        Row(
            "解读回应",
            "回应公众关注热点或重大舆情数量",
            kinds[kind.RESPONSE],
            "次",
            "栏目统计类型为“回应关切”",
        ),
        Row("办事服务", "是否发布服务事项目录", None),
        Row("办事服务", "注册用户数", None, "个"),
        Row("办事服务", "政务服务事项数量", None, "项"),
        Row("办事服务", "可全程在线办理政务服务事项数量", None, "项"),
        Row(
            "办事服务",
            "办件量总数",
            petitions["received"],
            "件",
            "网上信访件（含平陆运河绿色通道）",
        ),
        Row("办事服务", "办事服务类文章数", kinds[kind.SERVICE], "条", "栏目统计类型为“办事服务”"),
        Row("互动交流", "是否使用统一平台", True, "", "门户、公众号、APP 共用同一受理平台"),
        Row("互动交流", "留言办理：收到留言数量", messages["received"], "条", system),
        Row("互动交流", "留言办理：办结留言数量", messages["answered"], "条", system),
        Row(
            "互动交流",
            "留言办理：平均办理时间",
            messages["average_days"] if messages["average_days"] is not None else 0,
            "天",
            system,
        ),
        Row("互动交流", "留言办理：公开答复数量", messages["published"], "条", system),
        Row("互动交流", "征集调查：征集调查期数", len(interaction["campaigns"]), "期", system),
        Row("互动交流", "征集调查：收到意见数量", suggestions["received"], "条", system),
        Row("互动交流", "征集调查：公布调查结果期数", None, "期"),
        Row("互动交流", "在线访谈：访谈期数", None, "期", "在线访谈不在本系统举办"),
        Row("互动交流", "在线访谈：网民留言数量", None, "条"),
        Row("互动交流", "在线访谈：答复网民提问数量", None, "条"),
        Row("互动交流", "是否提供智能问答", None),
        Row("安全防护", "安全检测评估次数", None, "次"),
        Row("安全防护", "发现问题数量", None, "个"),
        Row("安全防护", "问题整改数量", None, "个"),
        Row("安全防护", "是否建立安全监测预警机制", None),
        Row("安全防护", "是否开展应急演练", None),
        Row("安全防护", "是否明确网站安全负责人", None),
        Row("移动新媒体", "是否有移动新媒体", bool(accounts)),
    ]
    for account in accounts:
        rows.append(
            Row("移动新媒体", f"微信：{account['name']} 信息发布量", account["articles"], "条")
        )
        rows.append(
            Row(
                "移动新媒体",
                f"微信：{account['name']} 订阅数",
                account["followers"],
                "个",
                f"{account['followers_day']} 微信接口数据" if account["followers"] else "",
            )
        )
    rows += [
        Row("移动新媒体", "其他（APP 等）", None),
        Row("创新发展", "搜索即服务", None),
        Row("创新发展", "多语言版本", None),
        Row("创新发展", "无障碍浏览", True, "", "关怀模式与无障碍说明页"),
        Row("创新发展", "千人千网", None),
        Row("填报信息", "单位负责人", None),
        Row("填报信息", "审核人", None),
        Row("填报信息", "填报人", None),
        Row("填报信息", "联系电话", _fill(site_settings.phone)),
        Row("填报信息", "填报日期", timezone.localdate().isoformat()),
    ]
    return Report(f"{portal.name}政府网站工作年度报表（{year}年度）", portal, str(year), rows)


def quarterly(portal, year: int, quarter: int) -> Report:
    """The quarterly self-check against the 政府网站与政务新媒体检查指标, with this quarter's
    inspection findings."""
    from cms.site_check import check_site

    scope = services.quarter_scope([portal], year, quarter)
    data = services.overview(scope)
    traffic, content, interaction = data["traffic"], data["content"], data["interaction"]
    rows = [
        Row("访问情况", "网站总访问量", traffic["views"], "次"),
        Row("访问情况", "独立用户访问量", traffic["visitors"], "个"),
        Row("信息发布", "本季度发布文章", content["articles"], "条"),
    ]
    for column in content["by_column"]:
        rows.append(Row("信息发布", f"栏目更新：{column['column']}", column["n"], "条"))
    for figures in interaction["kinds"]:
        label = figures["label"]
        rows += [
            Row("互动回应", f"{label}：收到", figures["received"], "件"),
            Row("互动回应", f"{label}：已答复", figures["answered"], "件"),
            Row("互动回应", f"{label}：答复率", _percent(figures["reply_rate"]), ""),
            Row("互动回应", f"{label}：平均办理时间", _days(figures["average_days"]), ""),
            Row("互动回应", f"{label}：最长办理时间", _days(figures["longest_days"]), ""),
            Row("互动回应", f"{label}：满意率", _percent(figures["satisfaction"]), ""),
        ]
    for account in data["wechat"]["accounts"]:
        rows.append(Row("政务新媒体", f"{account['name']}：发布文章", account["articles"], "篇"))
    findings = check_site(portal.site)
    rows.append(Row("检查发现", "本季度巡检问题数", len(findings), "个"))
    for finding in findings:
        rows.append(Row("检查发现", finding.kind, f"{finding.page_title}：{finding.detail}"))
    rows.append(Row("整改情况", "整改措施与完成时间", None))
    title = f"{portal.name}{year}年第{quarter}季度网站自查报告"
    return Report(title, portal, f"{scope.start} 至 {scope.end}", rows)


def _percent(value):
    return "—（无数据）" if value is None else f"{value}%"


def _days(value):
    return "—（无数据）" if value is None else f"{value} 天"


def to_html(report: Report) -> str:
    return render_to_string("stats/report.html", {"report": report})


def to_xlsx(report: Report) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    book = Workbook()
    sheet = book.active
    sheet.title = "报表"
    sheet.append([report.title])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append(["统计期间", report.period])
    sheet.append(["栏目", "项目", "数值", "单位", "说明"])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    to_fill = PatternFill("solid", fgColor="FFF2CC")
    for row in report.rows:
        value = (
            row.value
            if isinstance(row.value, int | float) and not isinstance(row.value, bool)
            else row.shown
        )
        sheet.append([row.section, row.item, value, row.unit, row.note])
        if not row.known:
            sheet.cell(sheet.max_row, 3).fill = to_fill
    for column, width in zip("ABCDE", (14, 36, 24, 8, 36), strict=True):
        sheet.column_dimensions[column].width = width
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def table_data(report: Report) -> list:
    """The rows as a TableBlock value (the article body of the draft)."""
    return [["栏目", "项目", "数值", "单位"]] + [
        [row.section, row.item, row.shown, row.unit] for row in report.rows
    ]


def save_draft(report: Report, column=None, user=None):
    """A draft article (not live) under the portal's 通知公告 column, or the column given, for the
    editors to complete and send through 三审."""
    from cms.models import ArticlePage

    home = report.portal.site.root_page
    if column is None:
        columns = ColumnPage.objects.child_of(home)
        column = columns.filter(slug="tzgg").first() or columns.first()
    if column is None:
        raise ValueError(f"{report.portal.name}没有可放置报表的栏目")
    body = [
        {
            "type": "paragraph",
            "value": (
                f"<p>统计期间：{report.period}。标为“{TO_FILL}”的项目由编辑核实填写后，"
                "经三审发布到门户首页。</p>"
            ),
        },
        {
            "type": "table",
            "value": {
                "caption": report.title,
                "table": {
                    "data": table_data(report),
                    "first_row_is_table_header": True,
                    "first_col_is_header": False,
                },
            },
        },
    ]
    existing = ArticlePage.objects.child_of(column).filter(title=report.title).first()
    if existing is not None:
        page = existing.get_latest_revision_as_object()
        page.body = body
        revision = page.save_revision(user=user)
        return page, revision
    page = ArticlePage(
        title=report.title,
        summary=f"{report.title}（统计期间 {report.period}）",
        body=body,
        live=False,
    )
    column.add_child(instance=page)
    revision = page.save_revision(user=user)
    return page, revision
