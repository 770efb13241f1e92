"""Citizens' services of the APP over HTTP: SMS codes by captcha or device attestation, petitions
with real name and the green channel (source APP), leader messages and the board, suggestions
with campaigns, lookup, evaluation, follow-up; bad input answered 4xx in the one error shape;
writes limited per device and per address."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import (
    Leader,
    Priority,
    Source,
    Status,
    Submission,
    SuggestionCampaign,
    SuggestionDomain,
)
from backend_bridge.services import status as status_service
from tests.channels.app_helpers import (
    Device,
    petition_body,
    sms_code,
    solve_captcha,
    submit_petition,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("app_settings", "portals")]
PHONE = "13800138000"


def test_a_petition_with_real_name_is_stored_with_source_app(client, app_id_number):
    device = Device(client)
    response = submit_petition(device, app_id_number, PHONE)
    assert response.status_code == 201, response.content
    body = response.json()
    submission = Submission.objects.get(reference=body["reference"])
    assert submission.source == Source.APP and submission.portal.code == "nanning"
    assert submission.identity_check == "verified" and len(body["query_code"]) == 23
    assert submission.outbox_items.count() == 1


def test_the_green_channel_petition_is_a_priority(client, app_id_number):
    device = Device(client)
    code = sms_code(device, PHONE)
    response = device.form("/petitions/pinglu-canal", petition_body(app_id_number, PHONE, code))
    assert response.status_code == 201
    submission = Submission.objects.get(reference=response.json()["reference"])
    assert (submission.channel, submission.priority) == ("pinglu_canal", Priority.HIGH)


def test_a_wrong_sms_code_is_a_field_error_and_nothing_is_stored(client, app_id_number):
    device = Device(client)
    sms_code(device, PHONE)
    response = device.form("/petitions", petition_body(app_id_number, PHONE, "000000"))
    assert response.status_code == 400
    assert "sms_code" in response.json()["details"]["fields"]
    assert not Submission.objects.exists()


def test_an_sms_code_needs_a_solved_captcha(client):
    device = Device(client)
    key, answer = solve_captcha(device)
    wrong = device.post(
        "/sms/codes", {"phone": PHONE, "captcha_key": key, "captcha_answer": str(int(answer) + 1)}
    )
    assert wrong.status_code == 400 and wrong.json()["code"] == "captcha_invalid"
    assert device.post("/sms/codes", {"phone": PHONE}).status_code == 400
    assert (
        device.post("/sms/codes", {"phone": PHONE, "purpose": "steal"}).json()["code"]
        == "invalid_purpose"
    )


def test_a_device_attestation_replaces_the_captcha(client, settings):
    from backend_bridge.providers.sms import ConsoleSmsProvider
    from tests.simulators.push import AttestationSimulator

    device = Device(client, "attested-device-1")
    # Without a verifier configured, an attestation token is refused: the captcha is required.
    refused = device.post("/sms/codes", {"phone": PHONE, "attestation_token": "x" * 40})
    assert refused.status_code == 400 and refused.json()["code"] == "attestation_invalid"
    with AttestationSimulator(secret="attest-secret") as gateway:
        settings.APP_ATTESTATION_PROVIDER = "channels.app.attestation.HttpAttestationVerifier"
        settings.APP_ATTESTATION_URL = gateway.url + "/verify"
        settings.APP_ATTESTATION_SECRET = "attest-secret"
        token = gateway.issue("attested-device-1")
        other = Device(client, "another-device-2")
        assert (
            other.post("/sms/codes", {"phone": PHONE, "attestation_token": token}).status_code
            == 400
        )
        response = device.post("/sms/codes", {"phone": PHONE, "attestation_token": token})
        assert response.status_code == 202, response.content
    assert ConsoleSmsProvider.sent[-1]["phone"] == PHONE


def test_sms_limits_of_the_portal_apply_in_the_app(client, settings):
    settings.SMS_LIMIT_PHONE_INTERVAL = 60
    device = Device(client)
    sms_code(device, PHONE)
    key, answer = solve_captcha(device)
    response = device.post(
        "/sms/codes", {"phone": PHONE, "captcha_key": key, "captcha_answer": answer}
    )
    assert response.status_code == 429 and response.json()["details"]["retry_after"] > 0


def test_leader_messages_and_the_public_board(client, portals, app_id_number):
    leader = Leader.objects.create(portal=portals["nanning"], name="李明", title="局长")
    device = Device(client)
    leaders = device.get("/leaders", site="nanning").json()
    assert [item["name"] for item in leaders] == ["李明"]
    code = sms_code(device, PHONE)
    response = device.post(
        "/leader-messages",
        {
            "portal": "nanning",
            "leader": leader.pk,
            "title": "建议增设公交线路",
            "content": "我们小区附近没有公交站，老人出行很不方便，建议增设一条公交线路。",
            "name": "王小红",
            "phone": PHONE,
            "sms_code": code,
        },
    )
    assert response.status_code == 201, response.content
    message = Submission.objects.get(reference=response.json()["reference"])
    assert (message.kind, message.source) == ("leader_message", Source.APP)
    # Published with its reply by staff: it appears on the board, the writer masked.
    status_service.record_event(message, status=Status.REPLIED, origin="inbox", reply="已规划。")
    Submission.objects.filter(pk=message.pk).update(publication="approved")
    board = device.get("/leader-messages", site="nanning", page_size=500).json()
    assert board["total"] == 1 and board["items"][0]["writer"] == "王*"
    assert "王小红" not in json.dumps(board, ensure_ascii=False)
    assert device.get("/leader-messages", site="liuzhou").json()["total"] == 0


def test_suggestions_with_a_themed_campaign(client, portals):
    domain = SuggestionDomain.objects.create(name="城市建设")
    today = timezone.localdate()
    campaign = SuggestionCampaign.objects.create(
        portal=portals["nanning"],
        title="“十五五”规划建言",
        start_date=today - timedelta(days=1),
        end_date=today + timedelta(days=10),
    )
    device = Device(client)
    assert [c["id"] for c in device.get("/suggestion-campaigns", site="nanning").json()] == [
        campaign.pk
    ]
    assert domain.pk in [d["id"] for d in device.get("/suggestion-domains").json()]
    code = sms_code(device, PHONE)
    response = device.post(
        "/suggestions",
        {
            "portal": "nanning",
            "domain": domain.pk,
            "campaign": campaign.pk,
            "title": "增加社区养老服务点",
            "content": "建议在每个社区增设养老服务点，为高龄老人提供助餐和日间照料服务。",
            "name": "陈建国",
            "phone": PHONE,
            "sms_code": code,
        },
    )
    assert response.status_code == 201, response.content
    suggestion = Submission.objects.get(reference=response.json()["reference"])
    assert (suggestion.campaign, suggestion.source) == (campaign, Source.APP)


def test_lookup_evaluation_and_follow_up_by_query_code(client, app_id_number):
    device = Device(client)
    accepted = submit_petition(device, app_id_number, PHONE).json()
    found = device.post(
        "/lookups", {"query_code": accepted["query_code"], "id_tail": app_id_number[-6:]}
    )
    assert found.status_code == 200 and found.json()["phone"] == "138****8000"
    token = found.json()["access_token"]
    follow = device.post(
        "/lookups/follow-ups", {"access_token": token, "content": "补充：积水已影响到商铺。"}
    )
    assert follow.status_code == 201
    early = device.post("/lookups/evaluation", {"access_token": token, "rating": "satisfied"})
    assert early.status_code == 409 and early.json()["code"] == "not_replied"
    submission = Submission.objects.get(reference=accepted["reference"])
    status_service.record_event(submission, status=Status.REPLIED, origin="inbox", reply="已疏通。")
    done = device.post("/lookups/evaluation", {"access_token": token, "rating": "satisfied"})
    assert done.status_code == 201 and submission.evaluation.rating == "satisfied"
    wrong = device.post("/lookups", {"query_code": accepted["query_code"], "id_tail": "000000"})
    assert wrong.status_code == 403 and wrong.json()["details"]["attempts_left"] == 4


@pytest.mark.parametrize(
    "path, body",
    [
        ("/sms/codes", []),
        ("/sms/codes", {"phone": ["13800138000"], "captcha_key": {"a": 1}}),
        ("/sms/codes", {"phone": "1" * 10000, "captcha_key": "k" * 10000, "captcha_answer": "1"}),
        ("/leader-messages", {"portal": "nanning", "leader": "drop table", "title": 1}),
        (
            "/leader-messages",
            {
                "portal": "no-such-portal",
                "leader": 1,
                "title": "t",
                "content": "c",
                "name": "n",
                "phone": "p",
                "sms_code": "1",
            },
        ),
        ("/suggestions", {"portal": "nanning", "domain": -1, "campaign": 10**30}),
        ("/lookups", {"query_code": "\x00" * 50, "id_tail": "\ud7ff" * 7}),
        ("/lookups/evaluation", {"access_token": "forged", "rating": "satisfied"}),
        ("/lookups/follow-ups", {"access_token": None, "content": None}),
    ],
)
def test_hostile_bodies_get_a_clear_4xx(client, path, body):
    response = Device(client).post(path, body)
    assert 400 <= response.status_code < 500, response.content
    error = response.json()
    assert set(error) == {"code", "message", "details"} and error["message"]


def test_hostile_petition_forms_get_a_clear_4xx(client):
    device = Device(client)
    for data in ({}, {"portal": "nanning", "petition_type": "x" * 5000}, {"portal": "../../etc"}):
        response = device.form("/petitions", data)
        assert 400 <= response.status_code < 500, response.content
        assert response.json()["message"]
    raw = client.post(
        "/api/app/v1/petitions",
        b'--x\r\nContent-Disposition: form-data; name="portal"\r\n\r\nnanning',
        content_type="multipart/form-data; boundary=x",
        headers={"X-Device-Id": "device-0001"},
    )
    assert 400 <= raw.status_code < 500


def test_writes_are_limited_per_device_and_per_address(client, settings):
    settings.APP_WRITE_RATE_DEVICE = "2/h"  # hours: no window boundary mid-test
    first, second = Device(client, "busy-device-01"), Device(client, "calm-device-02")
    assert first.post("/sms/captchas").status_code == 201
    assert first.post("/sms/captchas").status_code == 201
    refused = first.post("/sms/captchas")
    assert refused.status_code == 429 and refused.json()["details"]["scope"] == "device"
    assert second.post("/sms/captchas").status_code == 201
    settings.APP_WRITE_RATE_DEVICE, settings.APP_WRITE_RATE_IP = "", "3/h"
    for number in range(3):  # one address, three devices
        assert Device(client, f"other-device-{number:02d}").post("/sms/captchas").status_code == 201
    refused = Device(client, "fresh-device-03").post("/sms/captchas")
    assert refused.status_code == 429 and refused.json()["details"]["scope"] == "ip"
