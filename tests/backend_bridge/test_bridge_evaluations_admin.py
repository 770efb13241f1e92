"""The admin's 满意度评价 list: staff of a portal see their own portal's evaluations, filtered by
portal, month and rating, with the satisfaction rate, and export them to XLSX (audited)."""

import io
from datetime import datetime

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from backend_bridge.models import Evaluation
from backend_bridge.services import citizen, inbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(submit, settings, staff, id_number):
    """evaluated(portal, rating, reason, title, when) -> Evaluation of a replied submission."""
    settings.CASE_SYSTEM_URL = ""
    handlers = {}

    def make(
        portal="nanning", rating="satisfied", reason="", title="小区门口道路长期积水", when=None
    ):
        submission = submit(portal_code=portal, title=title).submission
        handler = handlers.setdefault(portal, staff(portal, "handler"))
        inbox.handle(handler, submission, status="replied", reply="已安排疏通。")
        evaluation = citizen.evaluate(submission, rating, reason)
        if when:
            Evaluation.objects.filter(pk=evaluation.pk).update(created_at=when)
        return evaluation

    return make


def local(year, month, day):
    return timezone.make_aware(datetime(year, month, day, 10, 0))


def test_staff_see_their_portals_evaluations_and_not_another_portals(client, evaluated, staff):
    evaluated(title="南宁积水问题", rating="satisfied")
    evaluated(portal="liuzhou", title="柳州噪音扰民", rating="dissatisfied", reason="没有解决")
    client.force_login(staff("nanning", "intake"))
    html = client.get("/admin/bridge/evaluations/").content.decode()
    assert "南宁积水问题" in html and "柳州噪音扰民" not in html and "没有解决" not in html
    assert "共 1 件" in html and "100.0%" in html
    # Asking for the other portal by its id is refused, and shows nothing of it.
    from sites.models import Portal

    other = Portal.objects.get(code="liuzhou")
    response = client.get("/admin/bridge/evaluations/", {"portal": other.pk})
    html = response.content.decode()
    assert response.status_code == 400 and "请选择本人所在的门户。" in html
    assert "柳州噪音扰民" not in html
    response = client.get("/admin/bridge/evaluations/", {"portal": other.pk, "format": "xlsx"})
    assert response.status_code == 400 and "柳州噪音扰民" not in response.content.decode()


def test_filters_by_month_and_rating_and_counts_the_satisfaction_rate(client, evaluated, staff):
    evaluated(title="三月满意", rating="satisfied", when=local(2026, 3, 5))
    evaluated(title="三月基本满意", rating="basically_satisfied", when=local(2026, 3, 20))
    evaluated(title="三月不满意", rating="dissatisfied", reason="答复敷衍", when=local(2026, 3, 28))
    evaluated(title="四月满意", rating="satisfied", when=local(2026, 4, 2))
    client.force_login(staff("nanning", "handler"))
    html = client.get("/admin/bridge/evaluations/", {"month": "2026-03"}).content.decode()
    assert "三月满意" in html and "三月不满意" in html and "四月满意" not in html
    assert "共 3 件" in html and "66.7%" in html
    html = client.get(
        "/admin/bridge/evaluations/", {"month": "2026-03", "rating": "dissatisfied"}
    ).content.decode()
    assert "三月不满意" in html and "答复敷衍" in html and "三月满意" not in html


def test_bad_filters_are_refused_in_chinese_not_a_500(client, evaluated, staff):
    evaluated()
    client.force_login(staff("nanning", "handler"))
    for params, message in (
        ({"month": "2026-13"}, "月份格式应为“年-月”"),
        ({"month": "三月"}, "月份格式应为“年-月”"),
        ({"rating": "great"}, "请选择满意、基本满意或不满意。"),
        ({"portal": "abc"}, "请选择本人所在的门户。"),
    ):
        response = client.get("/admin/bridge/evaluations/", params)
        assert response.status_code == 400 and message in response.content.decode()


def test_the_export_is_the_filtered_list_without_personal_data_and_is_audited(
    client, evaluated, staff
):
    evaluated(
        title="三月不满意", rating="dissatisfied", reason="=HYPERLINK(1)", when=local(2026, 3, 9)
    )
    evaluated(title="四月满意", rating="satisfied", when=local(2026, 4, 2))
    evaluated(portal="liuzhou", title="柳州噪音扰民", when=local(2026, 3, 9))
    user = staff("nanning", "handler")
    client.force_login(user)
    response = client.get("/admin/bridge/evaluations/", {"month": "2026-03", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][:4] == ["评价时间", "门户", "类别", "标题"]
    assert [row[3] for row in rows[1:]] == ["三月不满意"]
    assert rows[1][6] == "不满意" and rows[1][7] == "'=HYPERLINK(1)"  # not run as a formula
    flat = repr(rows)
    assert "13800138000" not in flat and "张三丰" not in flat

    from audit.models import AuditRecord

    entry = AuditRecord.objects.get(action="evaluation_export")
    assert (entry.category, entry.user_id, entry.username) == ("export", user.pk, user.username)
    assert entry.details["count"] == 1 and entry.details["filters"]["month"] == "2026-03"
    assert entry.ip == "127.0.0.1"


def test_content_roles_cannot_open_or_export_evaluations(client, evaluated, staff):
    evaluated()
    client.force_login(staff("nanning", "editor"))
    assert client.get("/admin/bridge/evaluations/").status_code == 403
    assert client.get("/admin/bridge/evaluations/", {"format": "xlsx"}).status_code == 403


def test_the_evaluation_and_case_screens_are_chinese(client, evaluated, staff):
    from tests.cms.test_admin_chinese import english

    evaluation = evaluated(rating="dissatisfied", reason="答复没有解决问题")
    client.force_login(staff("nanning", "handler"))
    for url in (
        "/admin/bridge/evaluations/",
        "/admin/bridge/evaluations/?month=2026-13",
        f"/admin/bridge/{evaluation.submission_id}/",
    ):
        assert english(client.get(url).content.decode()) == set(), url
