"""Citizens' APP accounts over HTTP: sign-in by phone + SMS code (registration the first time),
tokens bound to the device, rotating refresh tokens (a replayed one ends the session), logout
and logout-all, digests only in the database, and "my submissions" without query codes — never
another citizen's."""

from __future__ import annotations

import pytest

from backend_bridge.models import Status, Submission
from backend_bridge.services import status as status_service
from channels.models import AppAccount, AppSession
from tests.channels.app_helpers import Device, sign_in, sms_code, submit_petition

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings", "portals")]
ALICE, BOB = "13800138000", "13900139000"


def test_the_first_sign_in_registers_and_the_next_finds_the_same_account(client):
    device = Device(client)
    code = sms_code(device, ALICE, "login")
    first = device.post("/account/login", {"phone": ALICE, "sms_code": code})
    assert first.status_code == 200 and first.json()["created"] is True
    assert first.json()["phone"] == "138****8000"
    code = sms_code(device, ALICE, "login")
    again = device.post("/account/login", {"phone": ALICE, "sms_code": code})
    assert again.json()["created"] is False and AppAccount.objects.count() == 1
    device.token = again.json()["access_token"]
    assert device.get("/account/me").json()["phone"] == "138****8000"


def test_a_code_for_another_purpose_or_a_wrong_code_does_not_sign_in(client):
    device = Device(client)
    code = sms_code(device, ALICE, "submit")
    refused = device.post("/account/login", {"phone": ALICE, "sms_code": code})
    assert refused.status_code == 400 and "sms_code" in refused.json()["details"]["fields"]
    bad_phone = device.post("/account/login", {"phone": "12345", "sms_code": "123456"})
    assert bad_phone.status_code == 400 and "phone" in bad_phone.json()["details"]["fields"]
    no_device = Device(client, device_id="")
    assert no_device.post("/account/login", {"phone": ALICE, "sms_code": "1"}).json()["code"] == (
        "invalid_device"
    )
    assert not AppSession.objects.exists()


def test_only_digests_of_the_tokens_are_stored(client):
    device = sign_in(client, ALICE)
    session = AppSession.objects.get()
    stored = " ".join(str(v) for v in vars(session).values())
    assert device.token not in stored and device.refresh_token not in stored
    assert device.token[3:] not in stored


def test_a_token_works_only_on_its_own_device(client):
    device = sign_in(client, ALICE, "phone-of-alice")
    assert device.get("/account/me").status_code == 200
    thief = Device(client, "phone-of-thief", token=device.token)
    response = thief.get("/account/me")
    assert response.status_code == 401 and response.json()["code"] == "unauthenticated"
    assert (
        thief.post("/account/refresh", {"refresh_token": device.refresh_token}).status_code == 401
    )


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_session(client):
    device = sign_in(client, ALICE)
    first = device.post("/account/refresh", {"refresh_token": device.refresh_token})
    assert first.status_code == 200
    new = first.json()
    assert new["refresh_token"] != device.refresh_token
    old_access, device.token = device.token, new["access_token"]
    assert device.get("/account/me").status_code == 200
    assert Device(client, device.device_id, old_access).get("/account/me").status_code == 401
    # The spent refresh token comes back (a stolen copy): the session is over for everyone.
    replay = device.post("/account/refresh", {"refresh_token": device.refresh_token})
    assert replay.status_code == 401
    assert device.get("/account/me").status_code == 401
    assert (
        device.post("/account/refresh", {"refresh_token": new["refresh_token"]}).status_code == 401
    )
    assert AppSession.objects.get().revoke_reason == "refresh_reused"


def test_an_expired_access_token_is_refused(client):
    from datetime import timedelta

    from django.utils import timezone

    device = sign_in(client, ALICE)
    AppSession.objects.update(access_expires_at=timezone.now() - timedelta(seconds=1))
    assert device.get("/account/me").status_code == 401
    assert (
        device.post("/account/refresh", {"refresh_token": device.refresh_token}).status_code == 200
    )


def test_logout_ends_this_device_and_logout_all_every_device(client):
    phone, tablet, laptop = (sign_in(client, ALICE, f"alice-device-{n}") for n in (1, 2, 3))
    assert phone.post("/account/logout").status_code == 204
    assert phone.get("/account/me").status_code == 401
    assert tablet.get("/account/me").status_code == 200
    assert tablet.post("/account/logout-all").json() == {"revoked": 2}
    assert laptop.get("/account/me").status_code == 401
    assert (
        laptop.post("/account/refresh", {"refresh_token": laptop.refresh_token}).status_code == 401
    )


def test_a_citizen_sees_their_own_submissions_without_query_codes(client, app_id_number):
    alice = sign_in(client, ALICE)
    made = submit_petition(alice, app_id_number, ALICE).json()
    anonymous = submit_petition(Device(client, "kiosk-device"), app_id_number, ALICE).json()
    listing = alice.get("/account/submissions").json()
    assert [item["reference"] for item in listing["items"]] == [made["reference"]]
    detail = alice.get(f"/account/submissions/{made['reference']}")
    assert detail.status_code == 200 and detail.json()["title"] == "小区门口道路长期积水"
    assert detail.json()["name"] == "张**"
    # A submission made without signing in becomes theirs by a lookup while signed in.
    found = alice.post(
        "/lookups", {"query_code": anonymous["query_code"], "id_tail": app_id_number[-6:]}
    )
    assert found.status_code == 200
    assert alice.get("/account/submissions").json()["total"] == 2


def test_a_citizen_never_reaches_another_citizens_submission(client, app_id_number):
    alice = sign_in(client, ALICE, "alice-phone-1")
    mine = submit_petition(alice, app_id_number, ALICE, title="阿丽丝的信访件").json()
    bob = sign_in(client, BOB, "bob-phone-001")
    listing = bob.get("/account/submissions")
    assert listing.json()["total"] == 0 and "阿丽丝" not in listing.content.decode()
    for response in (
        bob.get(f"/account/submissions/{mine['reference']}"),
        bob.post(
            f"/account/submissions/{mine['reference']}/follow-ups", {"content": "冒充追加内容"}
        ),
        bob.post(f"/account/submissions/{mine['reference']}/evaluation", {"rating": "satisfied"}),
        bob.get("/account/submissions/not-a-uuid"),
    ):
        assert response.status_code == 404, response.content
        assert "阿丽丝" not in response.content.decode()
    submission = Submission.objects.get(reference=mine["reference"])
    assert not submission.follow_ups.exists()
    from audit.models import AuditRecord

    # The three attempts at a real reference are audited; a reference that exists nowhere is not.
    denied = AuditRecord.objects.filter(action="app_submission_access_denied", outcome="denied")
    assert denied.count() == 3
    assert {r.details["reference"] for r in denied} == {mine["reference"]}


def test_a_copied_or_signed_out_token_is_refused_and_audited(client):
    from audit.models import AuditRecord

    alice = sign_in(client, ALICE, "alice-phone-1")
    thief = Device(client, "thief-phone-1", alice.token)
    assert thief.get("/account/me").status_code == 401
    assert alice.post("/account/logout").status_code == 204
    assert alice.get("/account/me").status_code == 401
    refused = AuditRecord.objects.filter(action="app_token_refused").order_by("seq")
    assert [r.details["reason"] for r in refused] == ["other_device", "revoked"]


def test_a_citizen_evaluates_and_follows_up_their_own_submission(client, app_id_number):
    alice = sign_in(client, ALICE)
    mine = submit_petition(alice, app_id_number, ALICE).json()
    path = f"/account/submissions/{mine['reference']}"
    assert alice.post(f"{path}/follow-ups", {"content": "补充照片已经拍好。"}).status_code == 201
    submission = Submission.objects.get(reference=mine["reference"])
    status_service.record_event(submission, status=Status.REPLIED, origin="inbox", reply="已处理。")
    bad = alice.post(f"{path}/evaluation", {"rating": "dissatisfied"})
    assert bad.status_code == 400 and "reason" in bad.json()["details"]["fields"]
    assert alice.post(f"{path}/evaluation", {"rating": "satisfied"}).status_code == 201
    assert alice.get(path).json()["evaluation"] == "满意"


def test_a_disabled_account_cannot_sign_in_or_use_its_tokens(client):
    device = sign_in(client, ALICE)
    AppAccount.objects.update(is_active=False)
    assert device.get("/account/me").status_code == 401
    code = sms_code(device, ALICE, "login")
    refused = device.post("/account/login", {"phone": ALICE, "sms_code": code})
    assert refused.status_code == 403 and refused.json()["code"] == "account_disabled"


@pytest.mark.parametrize(
    "path, body",
    [
        ("/account/login", {"phone": None}),
        ("/account/login", [1, 2]),
        ("/account/refresh", {"refresh_token": "rt_" + "0" * 5000}),
        ("/account/refresh", {"refresh_token": 12}),
    ],
)
def test_hostile_account_bodies_get_a_clear_4xx(client, path, body):
    response = Device(client).post(path, body)
    assert 400 <= response.status_code < 500
    assert response.json()["message"]
