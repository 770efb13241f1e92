"""site_check finds what the national website check counts against a portal."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from wagtail.documents import get_document_model
from wagtail.models import ReferenceIndex

from cms.factories import ArticlePageFactory
from cms.site_check import check_site, dead_links, stale_columns

pytestmark = pytest.mark.django_db


def kinds(findings, title=None):
    return {f.kind for f in findings if title is None or f.page_title == title}


def test_a_column_without_articles_is_blank_and_one_with_articles_is_not(portals, column):
    site = portals["nanning"].site
    assert "空白栏目" in kinds(stale_columns(site), "工作动态")
    ArticlePageFactory(parent=column)
    assert "空白栏目" not in kinds(stale_columns(site), "工作动态")


def test_a_column_past_its_update_cycle_is_stale(portals, column):
    column.update_cycle_days = 7
    column.save()
    article = ArticlePageFactory(parent=column, publish_date=timezone.now() - timedelta(days=10))
    findings = [f for f in stale_columns(portals["nanning"].site) if f.kind == "不更新栏目"]
    assert [f.page_title for f in findings] == ["工作动态"]
    assert "已 10 天未更新" in findings[0].detail
    article.publish_date = timezone.now() - timedelta(days=3)
    article.save()
    assert "不更新栏目" not in kinds(stale_columns(portals["nanning"].site))


def test_home_page_with_nothing_new_for_two_weeks_is_flagged(portals, column):
    site = portals["nanning"].site
    ArticlePageFactory(parent=column, publish_date=timezone.now() - timedelta(days=20))
    assert "首页不更新" in kinds(stale_columns(site))
    ArticlePageFactory(parent=column, publish_date=timezone.now() - timedelta(days=1))
    assert "首页不更新" not in kinds(stale_columns(site))


def test_links_to_unpublished_deleted_pages_and_missing_documents_are_dead(
    portals, column, tmp_path
):
    from django.core.files.base import ContentFile

    target = ArticlePageFactory(parent=column, title="被链接的文章")
    gone = ArticlePageFactory(parent=column, title="将被删除的文章")
    document = get_document_model().objects.create(
        title="办事指南", file=ContentFile(b"%PDF-1.4", name="guide.pdf")
    )
    source = ArticlePageFactory(
        parent=column,
        title="含链接的文章",
        body=[
            (
                "paragraph",
                f'<p><a linktype="page" id="{target.pk}">相关</a> <a linktype="page" id="{gone.pk}">旧文</a></p>',
            ),
            ("attachment", {"document": document, "title": ""}),
        ],
    )
    ReferenceIndex.create_or_update_for_object(source)
    assert dead_links(portals["nanning"].site) == []
    target.unpublish()
    gone.delete()
    document.file.delete(save=False)
    details = [
        f.detail for f in dead_links(portals["nanning"].site) if f.page_title == "含链接的文章"
    ]
    assert any("“被链接的文章”未发布或已撤下" in d for d in details)
    assert any("页面（ID" in d and "已被删除" in d for d in details)
    assert any("“办事指南”的文件不存在" in d for d in details)


def test_the_command_reports_one_portal_and_writes_csv(portals, tmp_path):
    out = StringIO()
    call_command(
        "site_check", "--site", "nanning", "--csv", str(tmp_path / "report.csv"), stdout=out
    )
    assert "[空白栏目] 南宁市信访局 · 工作动态" in out.getvalue()
    assert "柳州" not in out.getvalue()
    assert "问题类型" in (tmp_path / "report.csv").read_text(encoding="utf-8-sig")


def test_the_command_refuses_an_unknown_portal():
    with pytest.raises(CommandError, match="未知的站点代码"):
        call_command("site_check", "--site", "shanghai", stdout=StringIO())


def test_a_portal_with_fresh_content_everywhere_has_no_findings(portals):
    site = portals["liuzhou"].site
    from cms.models import ColumnPage

    for column in ColumnPage.objects.descendant_of(site.root_page):
        ArticlePageFactory(parent=column)
    assert check_site(site) == []


def test_site_check_reports_the_content_findings_of_inspect_sites_and_points_to_it(portals):
    from operations.models import InspectionReport

    call_command(
        "inspect_sites", "--site", "nanning", "--no-pages", "--no-links", stdout=StringIO()
    )
    report = InspectionReport.objects.get(portal=portals["nanning"])
    content = [
        f"[{f['indicator']}] 南宁市信访局 · {f['where']}"
        for f in report.findings
        if f["category"] in ("内容更新", "链接可用性")
    ]
    out, err = StringIO(), StringIO()
    call_command("site_check", "--site", "nanning", stdout=out, stderr=err)
    printed = [
        " ".join(line.split(" ")[:4])
        for line in out.getvalue().splitlines()
        if line.startswith("[")
    ]
    assert content and sorted(printed) == sorted(content)
    assert "inspect_sites 取代" in err.getvalue()
