"""The JSON API end to end: petition with an attachment while the case system is down, delivery
when it returns, status webhook, lookup, evaluation reaching the case system; error shapes."""

import pytest

from backend_bridge.services import outbox
from tests.simulators.case_system import CaseSystemSimulator

pytestmark = pytest.mark.django_db


def _fields(ident, **overrides):
    data = {
        "petition_type": "complaint",
        "title": "工地夜间施工噪音扰民",
        "content": "西乡塘区某工地每天夜里施工到凌晨两点，噪音很大，附近居民无法休息。",
        "region_code": "450100",
        "county": "西乡塘区",
        "name": "李四",
        "id_number": ident,
        "phone": "13900139000",
        "sms_code": "246810",
    }
    data.update(overrides)
    return data


def test_petition_to_evaluation_end_to_end(client, portals, sms_ok, id_number, settings, samples):
    host = portals["nanning"].site.hostname
    port = CaseSystemSimulator(secret=settings.CASE_SYSTEM_SECRET).start()
    free_port = port.requested_port
    port.stop()
    settings.CASE_SYSTEM_URL = f"http://127.0.0.1:{free_port}"
    settings.CASE_SYSTEM_KEY = "portal"
    settings.CASE_SYSTEM_TIMEOUT = 0.5

    from django.core.files.uploadedfile import SimpleUploadedFile

    photo = SimpleUploadedFile("现场.png", samples.png(), content_type="image/png")
    response = client.post(
        "/api/v1/petitions", {**_fields(id_number), "attachments": [photo]}, headers={"Host": host}
    )
    assert response.status_code == 201, response.content
    query_code = response.json()["query_code"]
    assert outbox.run_once().failed == 1  # case system down

    with CaseSystemSimulator(
        secret=settings.CASE_SYSTEM_SECRET,
        webhook_secret=settings.CASE_WEBHOOK_SECRET,
        port=free_port,
    ) as case_system:
        outbox.retry_now()
        outbox.run_once()
        assert len(case_system.cases) == 1
        case_id = next(iter(case_system.cases))
        assert case_system.cases[case_id]["submission"]["portal"]["code"] == "nanning"
        assert len(case_system.cases[case_id]["submission"]["attachments"]) == 1

        case_system.set_status(case_id, "accepted")
        case_system.set_status(case_id, "replied", "已出具处理意见", reply="已责令工地夜间停工。")
        body, headers = case_system.webhook(case_id)
        assert (
            client.post(
                "/api/v1/bridge/case-status", body, content_type="application/json", headers=headers
            ).status_code
            == 200
        )

        found = client.post(
            "/api/v1/lookups",
            {"query_code": query_code, "id_tail": id_number[-6:]},
            content_type="application/json",
        )
        assert found.status_code == 200
        case = found.json()
        assert case["status"] == "replied" and case["reply"] == "已责令工地夜间停工。"
        assert case["name"] == "李*" and case["phone"] == "139****9000"
        assert case["can_evaluate"] and case["timeline"][-1]["status_label"] == "已答复"

        token = case["access_token"]
        evaluation = client.post(
            "/api/v1/lookups/evaluation",
            {"access_token": token, "rating": "basically_satisfied"},
            content_type="application/json",
        )
        assert evaluation.status_code == 201
        outbox.run_once()
        assert case_system.evaluations == [
            {
                "case_id": case_id,
                "rating": "basically_satisfied",
                "reason": "",
                "evaluated_at": case_system.evaluations[0]["evaluated_at"],
            }
        ]
        again = client.post(
            "/api/v1/lookups/evaluation",
            {"access_token": token, "rating": "satisfied"},
            content_type="application/json",
        )
        assert again.status_code == 409 and again.json()["code"] == "already_evaluated"


def test_green_channel_endpoint_sets_channel(client, portals, sms_ok, id_number):
    response = client.post(
        "/api/v1/petitions/pinglu-canal", {**_fields(id_number), "portal": "qinzhou"}
    )
    assert response.status_code == 201
    from backend_bridge.models import Submission

    submission = Submission.objects.get()
    assert (submission.channel, submission.priority, submission.portal.code) == (
        "pinglu_canal",
        "high",
        "qinzhou",
    )


def test_invalid_petition_returns_field_errors_in_the_error_shape(
    client, portals, sms_ok, id_number
):
    response = client.post(
        "/api/v1/petitions", _fields(id_number, id_number="450103199001011239", title="")
    )
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert {"id_number", "title"} <= set(body["details"]["fields"])


def test_missing_fields_are_422_in_the_error_shape(client, portals):
    response = client.post("/api/v1/petitions", {"title": "只有标题"})
    assert response.status_code == 422 and response.json()["code"] == "invalid_input"


def test_broken_multipart_is_a_4xx_not_a_500(client, portals):
    response = client.generic(
        "POST",
        "/api/v1/petitions",
        b'--xx\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc',
        content_type="multipart/form-data; boundary=",
    )
    assert 400 <= response.status_code < 500


def test_lookup_errors(client, portals):
    response = client.post(
        "/api/v1/lookups",
        {"query_code": "ABCDE", "id_tail": "123456"},
        content_type="application/json",
    )
    assert response.status_code == 403 and response.json()["code"] == "lookup_failed"
    response = client.post(
        "/api/v1/lookups/follow-ups",
        {"access_token": "x", "content": "补充内容补充内容"},
        content_type="application/json",
    )
    assert response.status_code == 401


def test_openapi_document_lists_the_citizen_operations(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/sms/codes",
        "/api/v1/petitions",
        "/api/v1/petitions/pinglu-canal",
        "/api/v1/lookups",
        "/api/v1/lookups/evaluation",
        "/api/v1/lookups/follow-ups",
        "/api/v1/bridge/case-status",
    ):
        assert path in paths


def test_sms_code_endpoint_maps_refusals_to_the_error_shape(client, monkeypatch):
    from backend_bridge import verification

    def refuse(*args):
        raise verification.VerificationError(
            "rate_limited", "发送太频繁，请60秒后再试。", retry_after=60
        )

    monkeypatch.setattr(verification, "request_code", refuse)
    response = client.post(
        "/api/v1/sms/codes",
        {"phone": "13800138000", "purpose": "submit", "captcha_key": "k", "captcha_answer": "a"},
        content_type="application/json",
    )
    assert response.status_code == 429
    assert response.json() == {
        "code": "rate_limited",
        "message": "发送太频繁，请60秒后再试。",
        "details": {"retry_after": 60},
    }
