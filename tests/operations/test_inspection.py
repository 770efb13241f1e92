"""System health inspection (issue 13): inspect_sites finds what the national check indicators
count, reports are kept per portal and for the group as HTML (with charts) and XLSX, and the admin
shows each portal's editors their own portal's reports only."""

from __future__ import annotations

import http.server
import json
import socket
import threading
from datetime import timedelta
from io import BytesIO, StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from openpyxl import load_workbook

from cms.factories import ArticlePageFactory
from operations.inspection import Context, external_link_findings, inspect, page_findings
from operations.models import InspectionReport
from tests.backend_bridge.conftest import id_number, petition, sms_ok, submit  # noqa: F401

pytestmark = pytest.mark.django_db


def indicators(findings, portal=None):
    return {f.indicator for f in findings if portal is None or f.portal == portal}


class _Sites(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_HEAD(self):
        self.hits.append(self.path)
        self.send_response(404 if self.path.startswith("/dead") else 200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    do_GET = do_HEAD

    def log_message(self, *args):
        pass


@pytest.fixture
def other_site():
    """Another organisation's web site on loopback: /dead is gone, everything else answers."""
    _Sites.hits = []
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Sites)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_the_command_keeps_a_report_per_portal_and_for_the_group(portals, tmp_path):
    out = StringIO()
    call_command("inspect_sites", "--site", "nanning", "--out", str(tmp_path), stdout=out)
    text = out.getvalue()
    assert "南宁" in text and "柳州" not in text
    report = InspectionReport.objects.get(portal=portals["nanning"])
    group = InspectionReport.objects.get(portal=None)
    assert report.total > 0 and group.total >= report.total
    # The seeded portal has columns without articles: blank columns, every one told how to fix.
    blank = [f for f in report.findings if f["indicator"] == "空白栏目"]
    assert blank and all(f["why"] and f["fix"] and f["where"] for f in blank)
    html = next(tmp_path.glob("inspection-nanning-*.html")).read_text(encoding="utf-8")
    assert "<svg" in html and "空白栏目" in html and "如何整改" in html
    book = load_workbook(next(tmp_path.glob("inspection-nanning-*.xlsx")))
    rows = list(book["问题清单"].values)
    assert rows[0][:3] == ("级别", "类别", "指标") and len(rows) == report.total + 1


def test_the_command_refuses_an_unknown_portal():
    with pytest.raises(CommandError, match="未知的站点代码"):
        call_command("inspect_sites", "--site", "shanghai", stdout=StringIO())


def test_missing_footer_elements_are_found_and_filled_ones_are_not(portals):
    from sites.models import PortalSettings

    portal = portals["nanning"]
    footer = PortalSettings.for_site(portal.site)
    footer.site_identifier = "4501000001"
    footer.icp_number = "桂ICP备12345678号"
    footer.police_number = "桂公网安备 45010302000001号"
    footer.sponsor = "南宁市信访局"
    footer.phone = "0771-1234567"
    footer.government_mark_url = "https://bszs.conac.cn/sitename?method=show&id=1"
    footer.save()
    found = indicators(page_findings(portal, Context()))
    assert not {i for i in found if i.startswith("缺少")}
    footer.icp_number = ""
    footer.police_number = ""
    footer.save()
    found = indicators(page_findings(portal, Context()))
    assert {"缺少ICP备案编号", "缺少公安机关备案号"} <= found
    assert "缺少主办单位" not in found


def _article_linking(column, url, title="外链文章"):
    return ArticlePageFactory(
        parent=column,
        title=title,
        body=[("paragraph", f'<p><a href="{url}">链接</a> <img src="/static/x.png"></p>')],
    )


def test_dead_external_links_are_reported_and_checked_once(portals, column, other_site, settings):
    settings.INSPECTION_NETWORK_PROBE_URL = f"{other_site}/"
    _article_linking(column, f"{other_site}/dead/page")
    _article_linking(column, f"{other_site}/ok/page", title="好链接文章")
    context = Context()
    page_findings(portals["nanning"], context)
    findings = external_link_findings(context)
    dead = [f for f in findings if f.indicator == "外部链接失效"]
    assert [f.where for f in dead] == ["外链文章"] and "HTTP 404" in dead[0].detail
    assert context.network_reachable is True
    checked = [h for h in _Sites.hits if h != "/"]
    # A second run within the cache's lifetime asks the other site nothing again.
    external_link_findings(context)
    assert [h for h in _Sites.hits if h != "/"] == checked


def test_an_unreachable_network_is_reported_as_such_not_as_dead_links(portals, column, settings):
    settings.INSPECTION_NETWORK_PROBE_URL = f"http://127.0.0.1:{_closed_port()}/"
    _article_linking(column, f"http://127.0.0.1:{_closed_port()}/gone")
    context = Context()
    page_findings(portals["nanning"], context)
    findings = external_link_findings(context)
    assert indicators(findings) == {"外部链接未检查"}
    assert "无法访问互联网" in findings[0].detail


def test_images_without_alt_text_are_found(portals, column, settings):
    settings.INSPECTION_NETWORK_PROBE_URL = f"http://127.0.0.1:{_closed_port()}/"
    _article_linking(column, "/gzdt/")
    findings = page_findings(portals["nanning"], Context())
    alt = [f for f in findings if f.indicator == "图片缺少替代文字"]
    assert [f.where for f in alt] == ["外链文章"]


def test_messages_unanswered_are_warned_early_and_serious_after_the_limit(portals, submit):  # noqa: F811
    from backend_bridge.models import Kind, Submission

    old = submit().submission
    older = submit().submission
    fresh = submit().submission
    Submission.objects.filter(pk=old.pk).update(
        kind=Kind.LEADER_MESSAGE, created_at=timezone.now() - timedelta(days=40)
    )
    Submission.objects.filter(pk=older.pk).update(
        kind=Kind.LEADER_MESSAGE, created_at=timezone.now() - timedelta(days=100)
    )
    Submission.objects.filter(pk=fresh.pk).update(kind=Kind.LEADER_MESSAGE)
    from operations.inspection import message_findings

    findings = message_findings(portals["nanning"])
    assert sorted((f.indicator, f.severity) for f in findings) == [
        ("留言临近答复期限", "警告"),
        ("留言超期未答复", "严重"),
    ]
    assert all("张三丰" not in f.where + f.detail for f in findings)  # no personal data


def test_a_wechat_account_not_updated_for_two_weeks_is_flagged(portals, settings):
    from operations.inspection import wechat_findings

    settings.WECHAT_ACCOUNTS = json.dumps(
        [
            {
                "code": "nnxf",
                "name": "南宁信访",
                "kind": "subscription",
                "app_id": "wx0123456789abcdef",
                "secret": "s" * 32,
                "portal": "nanning",
            }
        ]
    )
    findings = wechat_findings({"nanning"})
    assert [(f.portal, f.indicator, f.where) for f in findings] == [
        ("nanning", "公众号长期未更新", "南宁信访")
    ]
    assert "从未发布" in findings[0].detail


def test_system_checks_report_outbox_backlog_and_missing_backups(
    portals,
    submit,  # noqa: F811
    settings,
    tmp_path,
):
    from backend_bridge.models import OutboxItem
    from operations.inspection import system_findings

    submit()
    OutboxItem.objects.update(created_at=timezone.now() - timedelta(hours=2))
    settings.INSPECTION_BACKUP_DIR = str(tmp_path)
    found = indicators(system_findings([portals["nanning"]]))
    assert {"信访件投递积压", "备份过期"} <= found
    from datetime import UTC, datetime

    from operations.backup import archive_name

    (tmp_path / archive_name(datetime.now(UTC), encrypted=False)).write_bytes(b"archive")
    assert "备份过期" not in indicators(system_findings([portals["nanning"]]))


def _reports(portals):
    from operations.reports import run_inspection

    return run_inspection([portals["nanning"], portals["liuzhou"]], pages=False, links=False)


def test_an_editor_sees_only_their_own_portals_reports_in_the_admin(client, portals, staff):
    (nanning, liuzhou), group = _reports(portals)
    client.force_login(staff("nanning", "editor"))
    listing = client.get("/admin/inspection_reports/")
    assert listing.status_code == 200
    html = listing.content.decode()
    assert f"/admin/inspection_reports/inspect/{nanning.pk}/" in html
    assert f"/admin/inspection_reports/inspect/{liuzhou.pk}/" not in html
    assert f"/admin/inspection_reports/inspect/{group.pk}/" not in html
    assert "柳州" not in html
    own = client.get(f"/admin/inspection_reports/inspect/{nanning.pk}/")
    assert own.status_code == 200 and "空白栏目" in own.content.decode()
    assert "<svg" in own.content.decode()
    for other in (liuzhou, group):
        assert client.get(f"/admin/inspection_reports/inspect/{other.pk}/").status_code == 404
        assert client.get(f"/admin/inspection_reports/{other.pk}/xlsx/").status_code == 404
    xlsx = client.get(f"/admin/inspection_reports/{nanning.pk}/xlsx/")
    assert xlsx.status_code == 200
    sheet = load_workbook(BytesIO(xlsx.content))["问题清单"]
    assert sheet["C1"].value == "指标" and sheet.max_row == nanning.total + 1


def test_the_liuzhou_editor_sees_liuzhou_and_not_nanning(client, portals, staff):
    (nanning, liuzhou), _group = _reports(portals)
    client.force_login(staff("liuzhou", "editor"))
    html = client.get("/admin/inspection_reports/").content.decode()
    assert f"/inspect/{liuzhou.pk}/" in html and f"/inspect/{nanning.pk}/" not in html
    assert "南宁" not in html


def test_a_superuser_sees_the_group_report(client, portals, django_user_model):
    _reports(portals)
    admin = django_user_model.objects.create_superuser("ops-admin", password="Pw-ops-admin-2026")
    client.force_login(admin)
    group = InspectionReport.objects.get(portal=None)
    response = client.get(f"/admin/inspection_reports/inspect/{group.pk}/")
    assert response.status_code == 200 and "网站群" in response.content.decode()


def test_an_editor_runs_an_inspection_of_their_own_portal_from_the_admin(client, portals, staff):
    client.force_login(staff("nanning", "editor"))
    response = client.post("/admin/inspection_reports/run/")
    assert response.status_code == 302
    assert set(
        InspectionReport.objects.exclude(portal=None).values_list("portal__code", flat=True)
    ) == {"nanning"}
    listing = client.get(response["Location"]).content.decode()
    assert "已开始巡检" in listing


def test_staff_without_a_portal_cannot_reach_the_reports(client, portals, django_user_model):
    from django.contrib.auth.models import Permission

    _reports(portals)
    user = django_user_model.objects.create_user("ops-nobody", password="Pw-ops-nobody-2026")
    user.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(user)
    response = client.get("/admin/inspection_reports/")
    assert response.status_code == 403
    assert client.post("/admin/inspection_reports/run/").status_code == 404


def test_inspect_runs_every_kind_of_check_on_a_demo_portal(portals, settings):
    from sites.models import PortalSettings

    footer = PortalSettings.for_site(portals["nanning"].site)
    footer.icp_number = ""
    footer.save()
    findings = inspect([portals["nanning"]])
    categories = {f.category for f in findings}
    assert {"内容更新", "必备要素"} <= categories
