"""The built-in case inbox in the Wagtail admin, the audit log of unmasked views, the outbox
screen with retries, and the daily summary."""

import pytest
from django.core import mail
from django.core.management import call_command

from backend_bridge.models import OutboxItem, PiiAccessLog
from backend_bridge.services import outbox

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(submit, settings):
    settings.CASE_SYSTEM_URL = ""
    return submit().submission


def test_staff_see_only_their_own_portal(client, case, staff):
    liuzhou = staff("liuzhou", "intake")
    client.force_login(liuzhou)
    assert case.title not in client.get("/admin/bridge/").content.decode()
    assert client.get(f"/admin/bridge/{case.pk}/").status_code == 404
    client.force_login(staff("nanning", "intake"))
    listing = client.get("/admin/bridge/").content.decode()
    assert case.title in listing and case.masked_phone in listing and case.phone not in listing


def test_staff_change_status_and_reply_and_the_citizen_sees_it(
    client, submit, settings, staff, id_number
):
    settings.CASE_SYSTEM_URL = ""
    accepted = submit()
    case = accepted.submission
    client.force_login(staff("nanning", "intake"))
    response = client.post(
        f"/admin/bridge/{case.pk}/",
        {"action": "handle", "status": "replied", "note": "已协调处理", "reply": "已安排疏通。"},
    )
    assert response.status_code == 302
    from backend_bridge.services.lookup import lookup

    view = lookup(accepted.query_code, id_tail=id_number[-6:])
    assert view.submission.status == "replied" and view.submission.reply == "已安排疏通。"
    assert view.timeline[-1].note == "已协调处理" and view.can_evaluate


def test_replied_without_reply_text_is_refused(client, case, staff):
    client.force_login(staff("nanning", "intake"))
    client.post(f"/admin/bridge/{case.pk}/", {"action": "handle", "status": "replied"})
    case.refresh_from_db()
    assert case.status == "submitted"


def test_unmasking_needs_a_role_and_a_reason_and_is_audited(client, case, staff, id_number):
    client.force_login(staff("nanning", "intake"))
    page = client.post(
        f"/admin/bridge/{case.pk}/", {"action": "reveal", "reason": "电话回访"}
    ).content.decode()
    assert id_number not in page and PiiAccessLog.objects.count() == 0

    admin = staff("nanning", "handler")
    client.force_login(admin)
    page = client.post(
        f"/admin/bridge/{case.pk}/", {"action": "reveal", "reason": ""}
    ).content.decode()
    assert id_number not in page and PiiAccessLog.objects.count() == 0
    page = client.post(
        f"/admin/bridge/{case.pk}/", {"action": "reveal", "reason": "电话回访核实情况"}
    ).content.decode()
    assert id_number in page and "13800138000" in page
    log = PiiAccessLog.objects.get()
    assert (log.user, log.submission, log.reason) == (admin, case, "电话回访核实情况")
    # The same view is in the security audit log, with who, from where and why.
    from audit.models import AuditRecord

    entry = AuditRecord.objects.get(action="pii_revealed")
    assert (entry.username, entry.user_id, entry.portal) == (admin.username, admin.pk, "nanning")
    assert entry.ip == "127.0.0.1" and entry.details["reason"] == "电话回访核实情况"


def test_outbox_screen_shows_failures_and_retries(client, submit, simulator, staff):
    simulator.fail_next(1)
    submit()
    outbox.run_once()
    client.force_login(staff("nanning", "handler"))
    page = client.get("/admin/bridge/outbox/").content.decode()
    assert "503" in page
    item = OutboxItem.objects.get()
    assert client.post("/admin/bridge/outbox/retry/", {"item": item.pk}).status_code == 302
    assert outbox.run_once().delivered == 1


def test_non_staff_cannot_open_the_inbox(client, django_user_model):
    user = django_user_model.objects.create_user("citizen", password="Pw-citizen-2026")
    client.force_login(user)
    assert client.get("/admin/bridge/").status_code in (302, 403)


def test_daily_summary_lists_failing_items(submit, simulator, settings):
    settings.BRIDGE_SUMMARY_RECIPIENTS = ["ops@example.org"]
    call_command("bridge_summary")
    assert mail.outbox == []  # all is well: no mail
    simulator.fail_next(1)
    submit()
    outbox.run_once()
    call_command("bridge_summary")
    assert len(mail.outbox) == 1
    assert "1 条异常" in mail.outbox[0].subject and "503" in mail.outbox[0].body
