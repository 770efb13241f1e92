"""The /hdjl/ portal pages: forms keep input and show field errors, CSRF, never page-cached."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from backend_bridge.models import Submission
from backend_bridge.services import status

pytestmark = pytest.mark.django_db


@pytest.fixture
def host(portals):
    return portals["nanning"].site.hostname


def _form(ident, **overrides):
    data = {
        "petition_type": "consultation",
        "title": "咨询低保申请条件",
        "content": "家中老人没有收入，想咨询申请最低生活保障需要哪些条件和材料。",
        "region_code": "450100",
        "county": "江南区",
        "name": "王五",
        "id_number": ident,
        "phone": "13700137000",
        "sms_code": "246810",
    }
    data.update(overrides)
    return data


def test_petition_page_uses_the_portal_chrome(client, host):
    response = client.get("/hdjl/xf/", headers={"Host": host})
    html = response.content.decode()
    assert response.status_code == 200
    assert "南宁" in html and "关怀模式" in html and "csrfmiddlewaretoken" in html
    assert 'enctype="multipart/form-data"' in html
    assert "X-Page-Cache" not in response and "no-store" in response["Cache-Control"]


def test_invalid_petition_rerenders_with_input_and_field_errors(client, host, sms_ok, id_number):
    response = client.post(
        "/hdjl/xf/",
        _form(id_number, id_number="450103199001011230", phone="123"),
        headers={"Host": host},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert "咨询低保申请条件" in html and "家中老人没有收入" in html  # nothing entered is lost
    assert html.count('class="bb-errors"') >= 2
    assert Submission.objects.count() == 0


def test_hostile_input_is_escaped_when_rerendered(client, host, sms_ok, id_number):
    response = client.post(
        "/hdjl/xf/",
        _form(id_number, title="<script>alert(1)</script>", phone="x"),
        headers={"Host": host},
    )
    assert response.status_code == 400
    assert b"<script>alert(1)</script>" not in response.content


def test_petition_with_attachment_then_lookup_and_evaluate(
    client, host, sms_ok, id_number, samples
):
    photo = SimpleUploadedFile("材料.png", samples.png(), content_type="image/png")
    response = client.post(
        "/hdjl/xf/", {**_form(id_number), "attachments": [photo]}, headers={"Host": host}
    )
    assert response.status_code == 302
    page = client.get(response["Location"], headers={"Host": host}).content.decode()
    code = re.search(r"data-query-code>([A-Z0-9-]+)<", page).group(1)
    again = client.get(response["Location"], headers={"Host": host}).content.decode()
    assert code in again  # reloading the confirmation shows the code again in this session

    submission = Submission.objects.get()
    assert submission.portal.code == "nanning" and submission.attachments.count() == 1
    status.record_event(
        submission, status="replied", origin="inbox", reply="可到街道社会救助窗口申请。"
    )

    found = client.post(
        "/hdjl/cx/", {"query_code": code, "id_tail": id_number[-6:]}, headers={"Host": host}
    )
    assert found.status_code == 302
    case = client.get(found["Location"], headers={"Host": host}).content.decode()
    assert "已答复" in case and "社会救助窗口" in case and "王*" in case and id_number not in case

    missing_reason = client.post(
        found["Location"], {"action": "evaluate", "rating": "dissatisfied"}, headers={"Host": host}
    )
    assert missing_reason.status_code == 400 and "理由" in missing_reason.content.decode()
    done = client.post(
        found["Location"], {"action": "evaluate", "rating": "satisfied"}, headers={"Host": host}
    )
    assert done.status_code == 302
    assert submission.evaluation.rating == "satisfied"


def test_green_channel_page_submits_with_the_channel_flag(client, host, sms_ok, id_number):
    response = client.post("/hdjl/plyh/", _form(id_number), headers={"Host": host})
    assert response.status_code == 302
    assert Submission.objects.get().channel == "pinglu_canal"


def test_wrong_lookup_shows_a_form_error(client, host):
    response = client.post(
        "/hdjl/cx/", {"query_code": "ABCDEFGHJK", "id_tail": "123456"}, headers={"Host": host}
    )
    assert response.status_code == 403 and "不正确" in response.content.decode()


def test_case_page_without_lookup_redirects_to_lookup(client, host):
    response = client.get("/hdjl/cx/jg/", headers={"Host": host})
    assert response.status_code == 302 and response["Location"].endswith("/hdjl/cx/")


def test_csrf_is_enforced(host, id_number):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/hdjl/xf/", _form(id_number), headers={"Host": host}).status_code == 403


def test_broken_multipart_is_400_not_500(client, host):
    response = client.generic(
        "POST",
        "/hdjl/xf/",
        b'--zz\r\nContent-Disposition: form-data; name="title"\r\n\r\nabc',
        content_type="multipart/form-data; boundary=",
        headers={"Host": host},
    )
    assert 400 <= response.status_code < 500
