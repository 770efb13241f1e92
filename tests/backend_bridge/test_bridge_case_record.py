"""The handling record in the admin's case detail: status steps and internal notes (办理备注)
with who, when and whether each one has reached the core case system, and a note added from
the admin through the same service the staff APP uses."""

import re

import pytest
from bs4 import BeautifulSoup

from backend_bridge.models import CaseNote, OutboxItem
from backend_bridge.services import outbox

pytestmark = pytest.mark.django_db


def steps_table(html: str) -> str:
    return html.split("data-steps", 1)[1].split("</table>", 1)[0]


def named_handler(staff, portal="nanning"):
    user = staff(portal, "handler")
    user.first_name, user.last_name = "黄志明", ""
    user.save()
    return user


def test_a_handler_adds_a_note_through_the_admin_form_and_sees_it_in_the_record(
    client, submit, settings, staff
):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    handler = named_handler(staff)
    client.force_login(handler)
    # The note form as the detail page offers it, filled in as the handler would.
    page = BeautifulSoup(client.get(f"/admin/bridge/{case.pk}/").content, "html.parser")
    form = page.find("input", attrs={"name": "action", "value": "note"}).find_parent("form")
    data = {i["name"]: i.get("value", "") for i in form.find_all("input") if i.get("name")}
    data[form.find("textarea")["name"]] = "已电话联系街道办核实积水点"
    response = client.post(f"/admin/bridge/{case.pk}/", data)
    assert response.status_code == 302
    table = steps_table(client.get(f"/admin/bridge/{case.pk}/").content.decode())
    assert "办理备注" in table and "已电话联系街道办核实积水点" in table
    assert "黄志明" in table  # who wrote it, by the 姓名 shown everywhere in the admin
    assert "仅在本系统" in table  # built-in inbox: nothing to deliver
    note = CaseNote.objects.get(submission=case)
    assert note.created_by == handler and not OutboxItem.objects.filter(kind="note").exists()


def test_the_record_shows_each_step_pending_then_delivered_to_the_case_system(
    client, submit, simulator, staff
):
    case = submit().submission
    outbox.run_once()  # the submission reaches the case system
    client.force_login(named_handler(staff))
    client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": "请承办单位三日内回复"})
    client.post(
        f"/admin/bridge/{case.pk}/", {"action": "handle", "status": "accepted", "note": "予以受理"}
    )
    table = steps_table(client.get(f"/admin/bridge/{case.pk}/").content.decode())
    rows = re.findall(r'<tr data-step="(\w+)" data-delivery="(\w+)">', table)
    assert ("note", "pending") in rows and ("event", "pending") in rows
    assert "待发送至案件系统" in table

    outbox.run_once()
    assert [a["type"] for a in simulator.actions] == ["note", "status"]
    table = steps_table(client.get(f"/admin/bridge/{case.pk}/").content.decode())
    rows = re.findall(r'<tr data-step="(\w+)" data-delivery="(\w+)">', table)
    assert ("note", "delivered") in rows and ("event", "delivered") in rows
    assert ("note", "pending") not in rows and "已送达案件系统" in table


def test_a_failing_delivery_shows_its_reason_on_the_step(client, submit, simulator, staff):
    case = submit().submission
    outbox.run_once()
    client.force_login(named_handler(staff))
    client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": "请承办单位三日内回复"})
    simulator.fail_next(1)
    outbox.run_once()
    table = steps_table(client.get(f"/admin/bridge/{case.pk}/").content.decode())
    assert "已失败 1 次" in table and "503" in table


def test_an_empty_or_long_note_is_refused_in_chinese_and_the_text_is_kept(
    client, submit, settings, staff
):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    client.force_login(named_handler(staff))
    response = client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": " "})
    assert response.status_code == 400 and "请填写备注内容。" in response.content.decode()
    long_text = "积水" * 1001
    response = client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": long_text})
    html = response.content.decode()
    assert response.status_code == 400 and "备注不能超过 2000 个字。" in html
    assert long_text in html  # what was typed is still in the box
    assert not CaseNote.objects.exists()


def test_another_portals_handler_cannot_read_or_add_notes(client, submit, settings, staff):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    client.force_login(named_handler(staff))
    client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": "内部备注：勿外传"})

    client.force_login(staff("liuzhou", "handler"))
    assert client.get(f"/admin/bridge/{case.pk}/").status_code == 404
    response = client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": "越权备注"})
    assert response.status_code == 404
    assert list(CaseNote.objects.values_list("content", flat=True)) == ["内部备注：勿外传"]
    assert "内部备注" not in client.get("/admin/bridge/").content.decode()


def test_a_content_editor_cannot_add_notes(client, submit, settings, staff):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    client.force_login(staff("nanning", "editor"))
    response = client.post(f"/admin/bridge/{case.pk}/", {"action": "note", "content": "编辑备注"})
    assert response.status_code == 403 and not CaseNote.objects.exists()


def test_the_citizen_never_sees_the_notes(client, submit, settings, staff, id_number):
    settings.CASE_SYSTEM_URL = ""
    accepted = submit()
    client.force_login(named_handler(staff))
    client.post(
        f"/admin/bridge/{accepted.submission.pk}/",
        {"action": "note", "content": "内部备注：信访人情绪激动"},
    )
    from backend_bridge.services.lookup import lookup

    view = lookup(accepted.query_code, id_tail=id_number[-6:])
    assert all("内部备注" not in (step.note or "") for step in view.timeline)


def test_an_extension_beyond_thirty_days_is_refused_and_the_form_keeps_the_input(
    client, submit, settings, staff
):
    settings.CASE_SYSTEM_URL = ""
    case = submit().submission
    client.force_login(named_handler(staff))
    response = client.post(
        f"/admin/bridge/{case.pk}/",
        {"action": "handle", "status": "extended", "note": "需现场勘查", "extension_days": "99"},
    )
    html = response.content.decode()
    assert response.status_code == 400 and "延长办理天数须为 0 至 30 之间的整数" in html
    assert 'value="需现场勘查"' in html and 'value="99"' in html
    case.refresh_from_db()
    assert case.status == "submitted" and case.extension_days == 0
    response = client.post(
        f"/admin/bridge/{case.pk}/",
        {"action": "handle", "status": "extended", "note": "需现场勘查", "extension_days": "abc"},
    )
    assert response.status_code == 400
