"""The staff simple-handling APP over HTTP: sign-in with the admin password and a django-otp
second factor, device-bound tokens; the list of the staff member's own portal with filters; the
masked detail and the audited reveal; accept, decline, reply, close and notes through the
inbox service — reaching the case-system simulator through the outbox; and no endpoint that
lets 南宁 staff read or change a 柳州 submission."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import CaseNote, OutboxItem, PiiAccessLog, Status, Submission
from backend_bridge.services import outbox
from backend_bridge.services.submission import PetitionInput, submit_petition
from channels.models import AppSession
from tests.channels.app_helpers import Device, staff_sign_in, totp_device, totp_now

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings")]


@pytest.fixture
def petition(portals, app_id_number, monkeypatch):
    """Store a petition on a portal as a citizen would (the SMS check stands accepted)."""
    from backend_bridge.services import phone

    monkeypatch.setattr(phone, "check_code", lambda *args, **kwargs: None)

    def make(code="nanning", title="小区门口道路长期积水", **fields):
        data = PetitionInput(
            petition_type="complaint",
            title=title,
            content="青秀区某小区门口道路一下雨就积水，已经持续半年，居民出行困难，请求尽快处理。",
            region_code="450100",
            county="青秀区",
            name="张三丰",
            id_number=app_id_number,
            phone="13800138000",
            sms_code="123456",
        )
        submission = submit_petition(portals[code], data, **fields).submission
        return submission

    return make


def test_sign_in_needs_the_password_and_the_second_factor(client, staff):
    user = staff("nanning", "handler")
    device = Device(client, "staff-phone-01")
    otp = totp_device(user)
    wrong_password = device.post(
        "/staff/sessions", {"username": user.username, "password": "nope", "otp_token": "123456"}
    )
    assert wrong_password.status_code == 401 and wrong_password.json()["code"] == "login_failed"
    password = f"Pw-{user.username}-2026"
    wrong_otp = device.post(
        "/staff/sessions", {"username": user.username, "password": password, "otp_token": "000000"}
    )
    assert wrong_otp.status_code == 401 and wrong_otp.json()["code"] == "otp_invalid"
    assert not AppSession.objects.exists()
    # django-otp throttles the device after a wrong token; the wait over, the right one works.
    otp.refresh_from_db()
    assert otp.throttling_failure_count == 1
    otp.throttle_reset()
    # Two failures also impose a second's wait on the account (security.lockout); it is over.
    from django.core.cache import cache

    cache.delete_many(
        [
            f"security:login-delay:{kind}:{value}"
            for kind, value in (("user", user.username), ("ip", "127.0.0.1"))
        ]
    )
    good = device.post(
        "/staff/sessions",
        {"username": user.username, "password": password, "otp_token": totp_now(otp)},
    )
    assert good.status_code == 200 and good.json()["portals"] == ["南宁市信访局"]
    device.token = good.json()["access_token"]
    assert device.get("/staff/submissions").status_code == 200
    assert (
        Device(client, "other-phone-9", device.token).get("/staff/submissions").status_code == 401
    )


def test_without_a_second_factor_device_or_a_handling_role_there_is_no_sign_in(
    client, staff, django_user_model
):
    user = staff("nanning", "handler")
    device = Device(client, "staff-phone-01")
    body = {"username": user.username, "password": f"Pw-{user.username}-2026", "otp_token": "1"}
    response = device.post("/staff/sessions", body)
    assert response.status_code == 403 and response.json()["code"] == "second_factor_missing"
    outsider = django_user_model.objects.create_user("outsider", password="Pw-outsider-2026")
    totp_device(outsider)
    body = {"username": "outsider", "password": "Pw-outsider-2026", "otp_token": "1"}
    assert device.post("/staff/sessions", body).json()["code"] == "not_handling_staff"


def test_a_citizen_token_is_no_staff_token(client, staff):
    from tests.channels.app_helpers import sign_in

    citizen = sign_in(client, "13800138000", "staff-phone-01")
    assert citizen.get("/staff/submissions").status_code == 401


def test_the_list_is_the_staff_members_own_portal_masked_with_filters(client, staff, petition):
    mine = petition("nanning", title="南宁的积水问题")
    canal = petition("nanning", title="运河征地补偿", channel="pinglu_canal")
    theirs = petition("liuzhou", title="柳州的噪音问题")
    Submission.objects.filter(pk=mine.pk).update(created_at=timezone.now() - timedelta(days=20))
    device = staff_sign_in(client, staff("nanning", "handler"))
    listing = device.get("/staff/submissions")
    body = listing.content.decode()
    assert {i["id"] for i in listing.json()["items"]} == {mine.pk, canal.pk}
    assert theirs.title not in body and "张三丰" not in body and "13800138000" not in body
    assert [
        i["id"] for i in device.get("/staff/submissions", channel="pinglu_canal").json()["items"]
    ] == [canal.pk]
    overdue = device.get("/staff/submissions", overdue="true").json()["items"]
    assert [(i["id"], i["overdue"]) for i in overdue] == [(mine.pk, True)]
    assert [i["id"] for i in device.get("/staff/submissions", overdue="false").json()["items"]] == [
        canal.pk
    ]
    assert device.get("/staff/submissions", status="accepted").json()["total"] == 0
    bad = device.get("/staff/submissions", status="hacked")
    assert bad.status_code == 400 and bad.json()["code"] == "invalid_filter"
    assert device.get("/staff/submissions", page="x").status_code == 422
    assert len(device.get("/staff/submissions", page_size=10000).json()["items"]) == 2


def test_the_detail_is_masked_and_a_reveal_is_audited(client, staff, petition, app_id_number):
    case = petition()
    admin = staff("nanning", "handler")
    device = staff_sign_in(client, admin)
    detail = device.get(f"/staff/submissions/{case.pk}")
    assert detail.status_code == 200
    assert detail.json()["phone"] == "138****8000" and app_id_number not in detail.content.decode()
    no_reason = device.post(f"/staff/submissions/{case.pk}/reveal", {"reason": ""})
    assert no_reason.status_code == 400 and not PiiAccessLog.objects.exists()
    revealed = device.post(f"/staff/submissions/{case.pk}/reveal", {"reason": "电话回访核实"})
    assert revealed.json() == {"name": "张三丰", "id_number": app_id_number, "phone": "13800138000"}
    log = PiiAccessLog.objects.get()
    assert (log.user, log.submission, log.reason) == (admin, case, "电话回访核实")


def test_a_role_without_unmasking_cannot_reveal(client, staff, petition):
    case = petition()
    device = staff_sign_in(client, staff("nanning", "intake"))
    response = device.post(f"/staff/submissions/{case.pk}/reveal", {"reason": "电话回访核实"})
    assert response.status_code == 403 and not PiiAccessLog.objects.exists()


def test_nanning_staff_can_neither_read_nor_change_a_liuzhou_submission(client, staff, petition):
    theirs = petition("liuzhou", title="柳州的噪音问题")
    device = staff_sign_in(client, staff("nanning", "handler"))
    base = f"/staff/submissions/{theirs.pk}"
    responses = [
        device.get(base),
        device.post(f"{base}/reveal", {"reason": "电话回访核实"}),
        device.post(f"{base}/accept", {"note": "受理"}),
        device.post(f"{base}/decline", {"reason": "不属于信访事项"}),
        device.post(f"{base}/reply", {"reply": "已处理完毕。"}),
        device.post(f"{base}/close", {"note": "办结"}),
        device.post(f"{base}/notes", {"content": "越权备注"}),
    ]
    for response in responses:
        assert response.status_code == 404, response.content
        assert response.json()["code"] == "not_found"
        assert "柳州" not in response.content.decode() and "张三丰" not in response.content.decode()
    theirs.refresh_from_db()
    assert theirs.status == Status.SUBMITTED and theirs.events.count() == 1
    assert not PiiAccessLog.objects.exists() and not CaseNote.objects.exists()
    # Each attempt is in the security audit log, as the admin's are.
    from audit.models import AuditRecord

    denied = AuditRecord.objects.filter(action="submission_access_denied", outcome="denied")
    assert denied.count() == len(responses)
    assert {r.details["submission"] for r in denied} == {theirs.pk}


def test_decline_needs_a_reason_and_reply_a_reply(client, staff, petition):
    case = petition()
    device = staff_sign_in(client, staff("nanning", "handler"))
    refused = device.post(f"/staff/submissions/{case.pk}/decline", {"reason": " "})
    assert refused.status_code == 400 and "note" in refused.json()["details"]["fields"]
    empty = device.post(f"/staff/submissions/{case.pk}/reply", {"reply": ""})
    assert empty.status_code == 400 and "reply" in empty.json()["details"]["fields"]
    declined = device.post(f"/staff/submissions/{case.pk}/decline", {"reason": "属于诉讼程序"})
    assert declined.json()["status"] == "not_accepted"
    case.refresh_from_db()
    assert case.events.last().note == "属于诉讼程序"


def test_the_staff_flow_from_list_to_reply_reaches_the_case_system(
    client, staff, petition, case_system
):
    case = petition()
    assert outbox.run_once().delivered == 1  # the submission itself
    case.refresh_from_db()
    device = staff_sign_in(client, staff("nanning", "handler"))
    listed = device.get("/staff/submissions").json()["items"]
    assert [i["id"] for i in listed] == [case.pk]
    accepted = device.post(f"/staff/submissions/{case.pk}/accept", {"note": "予以受理"})
    assert accepted.json() == {
        "status": "accepted",
        "status_label": "已受理",
        "queued_for_case_system": True,
    }
    note = device.post(f"/staff/submissions/{case.pk}/notes", {"content": "已电话联系街道"})
    assert note.status_code == 201
    reply = device.post(
        f"/staff/submissions/{case.pk}/reply", {"reply": "已安排疏通排水管道。", "note": "答复"}
    )
    assert reply.json()["status"] == "replied"
    kinds = list(case.outbox_items.order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["submit", "action", "note", "action"]
    assert outbox.run_once().delivered == 3
    actions = case_system.actions
    assert [(a["type"], a.get("status")) for a in actions] == [
        ("status", "accepted"),
        ("note", None),
        ("status", "replied"),
    ]
    assert actions[2]["reply"] == "已安排疏通排水管道。" and actions[1]["note"] == "已电话联系街道"
    assert all(a["case_id"] == case.case_number for a in actions)
    # The case system's webhook about the same step is recorded once, not twice.
    from backend_bridge.services.status import handle_webhook

    body, headers = case_system.webhook(case.case_number)
    assert handle_webhook(body, headers["X-Timestamp"], headers["X-Signature"]) == 0
    assert case.events.filter(status="replied").count() == 1
    closed = device.post(f"/staff/submissions/{case.pk}/close", {"note": ""})
    assert closed.json()["status"] == "closed"
    assert OutboxItem.objects.filter(state="pending").count() == 1
    detail = device.get(f"/staff/submissions/{case.pk}").json()
    assert [n["content"] for n in detail["notes"]] == ["已电话联系街道"]
    assert [e["status"] for e in detail["timeline"]] == [
        "submitted",
        "accepted",
        "replied",
        "closed",
    ]


def test_the_staff_logout_ends_the_token(client, staff):
    device = staff_sign_in(client, staff("nanning", "handler"))
    assert device.post("/staff/logout").status_code == 204
    assert device.get("/staff/submissions").status_code == 401


@pytest.mark.parametrize(
    "path, body",
    [
        ("/staff/sessions", {"username": ["x"], "password": {"a": 1}}),
        ("/staff/sessions", {"username": "x" * 100000, "password": "y", "otp_token": "z" * 9999}),
        ("/staff/refresh", {"refresh_token": None}),
    ],
)
def test_hostile_staff_bodies_get_a_clear_4xx(client, path, body):
    response = Device(client, "staff-phone-01").post(path, body)
    assert 400 <= response.status_code < 500
    assert json.loads(response.content)["message"]


def test_a_staff_member_binds_a_totp_device_with_the_command(client, staff):
    from io import StringIO

    from django.core.management import call_command
    from django.core.management.base import CommandError
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = staff("nanning", "handler")
    out = StringIO()
    call_command("app_staff_totp", user.username, stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    device = TOTPDevice.objects.get(user=user)
    assert device.confirmed is False
    with pytest.raises(CommandError):
        call_command("app_staff_totp", user.username, confirm="000000", stdout=out)
    device.refresh_from_db()
    device.throttle_reset()  # django-otp's wait after a wrong code, over
    call_command("app_staff_totp", user.username, confirm=totp_now(device), stdout=out)
    device.refresh_from_db()
    assert device.confirmed is True
    with pytest.raises(CommandError):
        call_command("app_staff_totp", user.username, stdout=out)
    login = Device(client, "staff-phone-01").post(
        "/staff/sessions",
        {
            "username": user.username,
            "password": f"Pw-{user.username}-2026",
            "otp_token": totp_now(device),
        },
    )
    # The code that confirmed the device cannot be replayed; the next window's code would work.
    assert login.status_code == 401


def test_the_admin_inbox_step_takes_the_same_way_to_the_case_system(
    client, staff, petition, case_system
):
    case = petition()
    outbox.run_once()
    client.force_login(staff("nanning", "handler"))
    response = client.post(
        f"/admin/bridge/{case.pk}/",
        {"action": "handle", "status": "not_accepted", "note": "属于诉讼程序"},
    )
    assert response.status_code == 302
    assert outbox.run_once().delivered == 1
    (action,) = case_system.actions
    assert (action["status"], action["note"]) == ("not_accepted", "属于诉讼程序")


def test_staff_tokens_rotate_and_stop_working_when_the_role_is_taken_away(client, staff):
    user = staff("nanning", "handler")
    device = Device(client, "staff-phone-01")
    otp = totp_device(user)
    signed = device.post(
        "/staff/sessions",
        {
            "username": user.username,
            "password": f"Pw-{user.username}-2026",
            "otp_token": totp_now(otp),
        },
    ).json()
    refreshed = device.post("/staff/refresh", {"refresh_token": signed["refresh_token"]})
    assert refreshed.status_code == 200 and refreshed.json()["username"] == user.username
    device.token = refreshed.json()["access_token"]
    assert device.get("/staff/submissions").status_code == 200
    replay = device.post("/staff/refresh", {"refresh_token": signed["refresh_token"]})
    assert replay.status_code == 401 and device.get("/staff/submissions").status_code == 401
    # A fresh session, then the staff member leaves the handling role.
    otp.refresh_from_db()
    otp.throttle_reset()
    otp.last_t = -1
    otp.save()
    device.token = device.post(
        "/staff/sessions",
        {
            "username": user.username,
            "password": f"Pw-{user.username}-2026",
            "otp_token": totp_now(otp),
        },
    ).json()["access_token"]
    user.groups.clear()
    response = device.get("/staff/submissions")
    assert response.status_code == 403 and response.json()["code"] == "not_handling_staff"
    user.is_active = False
    user.save()
    assert device.get("/staff/submissions").status_code == 401
