"""The statistics page as an XLSX workbook: one sheet per part, the same figures as on screen."""

from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Font


def _sheet(book, title, header, rows):
    sheet = book.create_sheet(title)
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    for i in range(len(header)):
        sheet.column_dimensions[chr(ord("A") + i)].width = 18


def _blank(value):
    return "—" if value is None else value


def statistics_xlsx(scope, figures) -> bytes:
    book = Workbook()
    book.remove(book.active)
    traffic, content, interaction = figures["traffic"], figures["content"], figures["interaction"]
    names = "、".join(p.name for p in scope.portals)
    _sheet(
        book,
        "概况",
        ["项目", "数值"],
        [
            ["门户", names],
            ["统计期间", f"{scope.start} 至 {scope.end}"],
            ["网站总访问量（次）", traffic["views"]],
            ["独立用户访问总量（个）", traffic["visitors"]],
            ["发布文章（条）", content["articles"]],
            ["专栏专题（个）", content["topics"]],
        ],
    )
    kinds = [row["label"] for row in interaction["kinds"]]
    _sheet(
        book,
        "按月",
        ["月份", "访问量", "独立访客", "发布文章", *kinds],
        [
            [
                month,
                traffic["views_by_month"][i],
                traffic["visitors_by_month"][i],
                content["articles_by_month"][i],
                *[interaction["by_month"][row["kind"]][i] for row in interaction["kinds"]],
            ]
            for i, month in enumerate(scope.months)
        ],
    )
    _sheet(
        book,
        "栏目发布",
        ["栏目", "发布文章（条）"],
        [[row["column"], row["n"]] for row in content["by_column"]],
    )
    _sheet(
        book,
        "互动交流",
        [
            "类型",
            "收到",
            "受理",
            "答复",
            "公开",
            "答复率%",
            "平均办理天数",
            "最长办理天数",
            "评价数",
            "满意率%",
        ],
        [
            [
                row["label"],
                row["received"],
                row["accepted"],
                row["answered"],
                row["published"],
                _blank(row["reply_rate"]),
                _blank(row["average_days"]),
                _blank(row["longest_days"]),
                row["evaluated"],
                _blank(row["satisfaction"]),
            ]
            for row in interaction["kinds"]
        ],
    )
    _sheet(
        book,
        "渠道",
        ["渠道", "收到"],
        [[row["label"], row["n"]] for row in interaction["by_source"]],
    )
    _sheet(
        book,
        "征集",
        ["征集主题", "门户", "开始", "截止", "参与人次"],
        [
            [c["title"], c["portal"], c["start"], c["end"], c["participants"]]
            for c in interaction["campaigns"]
        ],
    )
    _sheet(
        book,
        "公众号",
        ["公众号", "发布文章", "关注用户数"],
        [[a["name"], a["articles"], _blank(a["followers"])] for a in figures["wechat"]["accounts"]],
    )
    _sheet(
        book,
        "热门页面",
        ["站点", "路径", "标题", "访问量"],
        [
            [p["site__hostname"], p["path"], p["page__title"] or "", p["n"]]
            for p in traffic["top_pages"]
        ],
    )
    out = BytesIO()
    book.save(out)
    return out.getvalue()
