"""The national reports: every row of the annual report is filled from the system's records or
marked for the editor, the figures are the statistics page's, and the report reaches the portal
as a draft for 三审."""

from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from cms.models import ArticlePage
from stats.reports import TO_FILL

YEAR = timezone.localdate().year


def run(*args):
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def xlsx_rows(path):
    sheet = load_workbook(BytesIO(path.read_bytes())).active
    return {(r[0], r[1]): r[2] for r in sheet.iter_rows(min_row=4, values_only=True)}


@pytest.fixture
def traffic(client, portals, column):
    from cms.factories import ArticlePageFactory
    from stats.counting import flush

    article = ArticlePageFactory(parent=column, title="年度报表统计文章")
    host = portals["nanning"].site.hostname
    for ip in ("203.0.113.1", "203.0.113.2", "203.0.113.2"):
        client.get(f"/{column.slug}/{article.slug}/", HTTP_HOST=host, REMOTE_ADDR=ip)
    flush()


@pytest.mark.django_db
def test_annual_report_rows_are_filled_or_marked_and_match_the_statistics_page(
    tmp_path, client, staff, portals, traffic
):
    from sites.models import PortalSettings

    settings = PortalSettings.for_site(portals["nanning"].site)
    settings.sponsor, settings.site_identifier = "南宁市信访局", "4501000001"
    settings.save()
    output = run("annual_report", "--year", str(YEAR), "--site", "nanning", "--out", str(tmp_path))
    assert "南宁" in output and "待填写" in output
    rows = xlsx_rows(tmp_path / f"nanning-annual-{YEAR}.xlsx")
    assert all(value not in (None, "") for value in rows.values())
    assert rows[("基本信息", "主办单位")] == "南宁市信访局"
    assert rows[("基本信息", "政府网站标识码")] == "4501000001"
    assert rows[("基本信息", "ICP备案号")] == settings.icp_number
    assert rows[("基本信息", "公安机关备案号")] in (settings.police_number or TO_FILL,)
    assert rows[("互动交流", "在线访谈：访谈期数")] == TO_FILL
    assert rows[("访问量", "网站总访问量")] == 3
    assert rows[("访问量", "独立用户访问总量")] == 2
    client.force_login(staff("nanning", "admin"))
    page = client.get(
        "/admin/statistics/",
        {"portal": "nanning", "start": f"{YEAR}-01-01", "end": f"{YEAR}-12-31"},
    ).content.decode()
    assert "网站总访问量<strong>3</strong>" in page
    assert "独立用户访问总量<strong>2</strong>" in page
    assert f"发布文章<strong>{rows[('信息发布', '总数')]}</strong>" in page
    html = (tmp_path / f"nanning-annual-{YEAR}.html").read_text(encoding="utf-8")
    assert "政府网站工作年度报表" in html and 'class="to-fill"' in html


@pytest.mark.django_db
def test_the_report_becomes_a_draft_for_the_editors_and_is_not_published(
    tmp_path, client, staff, portals
):
    run("annual_report", "--year", str(YEAR), "--site", "nanning", "--out", str(tmp_path))
    run("annual_report", "--year", str(YEAR), "--site", "nanning", "--out", str(tmp_path))
    drafts = ArticlePage.objects.filter(title__contains="政府网站工作年度报表")
    assert drafts.count() == 1  # generated again: the same draft, a new revision
    draft = drafts.get()
    assert not draft.live
    assert draft.get_parent().get_parent().pk == portals["nanning"].site.root_page_id
    client.force_login(staff("nanning", "editor"))
    edit = client.get(f"/admin/pages/{draft.pk}/edit/")
    assert edit.status_code == 200
    assert draft.title in edit.content.decode()
    table = draft.get_latest_revision_as_object().body[1].value["table"]
    assert len([row for row in table["data"] if row[2] == TO_FILL]) > 5
    response = client.get(
        draft.get_parent().url_path.replace(portals["nanning"].site.root_page.url_path, "/"),
        HTTP_HOST=portals["nanning"].site.hostname,
    )
    assert "政府网站工作年度报表" not in response.content.decode()
    client.force_login(staff("liuzhou", "editor"))
    other = client.get(f"/admin/pages/{draft.pk}/edit/")
    assert other.status_code == 403 and draft.title not in other.content.decode()


@pytest.mark.django_db
def test_every_portal_gets_its_report(tmp_path, portals):
    output = run("annual_report", "--year", str(YEAR), "--out", str(tmp_path), "--no-draft")
    assert len(list(tmp_path.glob("*-annual-*.xlsx"))) == len(portals) == 15
    assert output.count("待填写") == 15
    assert not ArticlePage.objects.filter(title__contains="年度报表").exists()


@pytest.mark.django_db
def test_quarterly_report_lists_the_inspection_findings(tmp_path, portals):
    from cms.factories import ColumnPageFactory

    ColumnPageFactory(parent=portals["nanning"].site.root_page, title="空空的栏目")
    run(
        "quarterly_report",
        "--year",
        str(YEAR),
        "--quarter",
        "4",
        "--site",
        "nanning",
        "--out",
        str(tmp_path),
        "--no-draft",
    )
    rows = xlsx_rows(tmp_path / f"nanning-quarterly-{YEAR}-10-01.xlsx")
    assert any(
        section == "检查发现" and "空空的栏目" in str(value) for (section, _), value in rows.items()
    )
    assert rows[("整改情况", "整改措施与完成时间")] == TO_FILL


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["annual_report", "--year", "1999"], "不在可统计范围内"),
        (["annual_report", "--year", str(YEAR), "--site", "nowhere"], "没有代码为"),
        (["quarterly_report", "--year", str(YEAR), "--quarter", "5", "--site", "nanning"], "季度"),
    ],
)
def test_bad_arguments_are_refused_with_a_reason(tmp_path, args, message):
    with pytest.raises(CommandError, match=message):
        run(*args, "--out", str(tmp_path))
