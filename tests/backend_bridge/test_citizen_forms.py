"""The citizens' forms as a citizen meets them: browser limits equal to the server's with a
counter, every error at once in an error summary linking to its field, the query code whole with
a copy button, texted to the phone and printable, shown again on reload; a readable captcha with a
precise message; leader messages and suggestions named as what they are, and an answer without a
separate 受理 that never says a decision is awaited."""

import re
import time
from html.parser import HTMLParser

import pytest
from PIL import Image

from backend_bridge import captcha, verification
from backend_bridge.models import Leader, Submission
from backend_bridge.services import board, receipts
from backend_bridge.services.citizen import MAX_REASON
from backend_bridge.services.status import record_event
from backend_bridge.services.submission import LIMITS
from tests.simulators import fixtures as simulator_fixtures

pytestmark = pytest.mark.django_db

aliyun_sms_simulator = simulator_fixtures.aliyun_sms_simulator
sms_outbox = simulator_fixtures.sms_outbox
GOOD_CODE = "246810"


class Elements(HTMLParser):
    """Every element's attributes, by id, and the error summary's link targets in order."""

    def __init__(self, html: str):
        super().__init__()
        self.by_id: dict[str, dict] = {}
        self.summary_links: list[str] = []
        self._summary_depth = 0
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.by_id[attrs["id"]] = {"tag": tag, **attrs}
        if "data-error-summary" in attrs:
            self._summary_depth = 1
        elif self._summary_depth and tag == "div":
            self._summary_depth += 1
        if self._summary_depth and tag == "a":
            self.summary_links.append(attrs["href"])

    def handle_endtag(self, tag):
        if self._summary_depth and tag == "div":
            self._summary_depth -= 1


@pytest.fixture
def host(portals):
    return portals["nanning"].site.hostname


@pytest.fixture
def leader(portals):
    return Leader.objects.create(portal=portals["nanning"], name="陈志强", title="局长")


def _petition(ident, **overrides):
    data = {
        "petition_type": "consultation",
        "title": "咨询低保申请条件",
        "content": "家中老人没有收入，想咨询申请最低生活保障需要哪些条件和材料。",
        "region_code": "450100",
        "county": "江南区",
        "name": "王五",
        "id_number": ident,
        "phone": "13700137000",
        "sms_code": GOOD_CODE,
    }
    data.update(overrides)
    return data


def _summary_is_complete(html: str, expected_fields: set[str]) -> Elements:
    """The summary comes before the fields, links to each field with an error, and each link's
    target exists, is marked invalid and names its error message."""
    page = Elements(html)
    targets = {link.removeprefix("#") for link in page.summary_links}
    first = min(html.index(f'id="{target}"') for target in targets)
    assert html.index("data-error-summary") < first
    assert {f"id_{name}" for name in expected_fields} <= {t.removesuffix("_0") for t in targets}
    for target in targets:
        element = page.by_id[target]
        assert element["aria-invalid"] == "true"
        assert element["aria-describedby"].split()[-1].endswith("_errors")
    return page


# --- limits and counters -----------------------------------------------------------------------


def test_text_fields_carry_the_servers_limits_and_a_counter_without_javascript(client, host):
    page = Elements(client.get("/hdjl/xf/", headers={"Host": host}).content.decode())
    for name in ("title", "content", "county", "address", "respondent", "name"):
        control = page.by_id[f"id_{name}"]
        assert control["maxlength"] == str(LIMITS[name])
        assert f"id_{name}_count" in control["aria-describedby"]
        assert page.by_id[f"id_{name}_count"]["tag"] == "p"
    html = client.get("/hdjl/xf/", headers={"Host": host}).content.decode()
    assert f"最多可填写 {LIMITS['content']} 个字" in html


def test_a_too_long_title_is_reported_by_the_service_with_the_other_errors(
    client, host, sms_ok, id_number
):
    html = client.post(
        "/hdjl/xf/",
        _petition(id_number, title="长" * (LIMITS["title"] + 1), phone="12"),
        headers={"Host": host},
    ).content.decode()
    assert f"不能超过 {LIMITS['title']} 个字" in html
    _summary_is_complete(html, {"title", "phone"})
    assert Submission.objects.count() == 0


# --- the error summary on every form -----------------------------------------------------------


def test_an_empty_petition_shows_every_error_at_once_in_a_summary_linking_to_the_fields(
    client, host
):
    response = client.post("/hdjl/xf/", {"title": "保留的标题"}, headers={"Host": host})
    html = response.content.decode()
    assert response.status_code == 400
    assert "<title>错误：" in html
    expected = {"petition_type", "content", "region_code", "county", "name", "id_number"}
    _summary_is_complete(html, expected | {"phone", "sms_code"})
    assert "请填写短信验证码" in html and 'value="保留的标题"' in html


def test_green_channel_form_has_the_error_summary(client, host):
    html = client.post("/hdjl/plyh/", {}, headers={"Host": host}).content.decode()
    _summary_is_complete(html, {"title", "content", "name"})


def test_leader_message_form_shows_every_error_in_the_summary(client, host, leader):
    response = client.post("/hdjl/ldly/xx/", {"content": "太短"}, headers={"Host": host})
    assert response.status_code == 400
    _summary_is_complete(
        response.content.decode(), {"title", "content", "name", "phone", "sms_code"}
    )


def test_suggestion_form_shows_every_error_in_the_summary(client, host):
    response = client.post("/hdjl/rmjy/jy/", {}, headers={"Host": host})
    assert response.status_code == 400
    _summary_is_complete(response.content.decode(), {"domain", "title", "content", "phone"})


def test_lookup_form_shows_its_errors_in_the_summary(client, host):
    response = client.post("/hdjl/cx/", {}, headers={"Host": host})
    assert response.status_code == 400
    _summary_is_complete(response.content.decode(), {"query_code", "id_tail"})


def test_evaluation_form_has_a_summary_linking_to_the_radio_buttons(
    client, host, submit, id_number
):
    accepted = submit()
    record_event(accepted.submission, status="replied", origin="inbox", reply="已答复。")
    found = client.post(
        "/hdjl/cx/",
        {"query_code": accepted.query_code, "id_tail": id_number[-6:]},
        headers={"Host": host},
    )
    wrong = client.post(
        found["Location"], {"action": "evaluate", "rating": "x" * 5}, headers={"Host": host}
    )
    html = wrong.content.decode()
    assert wrong.status_code == 400 and "<title>错误：" in html
    page = _summary_is_complete(html, {"rating"})
    assert "#id_rating_0" in page.summary_links
    assert page.by_id["id_reason"]["maxlength"] == str(MAX_REASON)
    follow_up = client.post(
        found["Location"], {"action": "follow_up", "content": ""}, headers={"Host": host}
    )
    assert follow_up.status_code == 400
    _summary_is_complete(follow_up.content.decode(), {"content"})


# --- the query code ----------------------------------------------------------------------------


def _submit_petition(client, host, id_number):
    response = client.post("/hdjl/xf/", _petition(id_number), headers={"Host": host})
    assert response.status_code == 302
    return response["Location"]


def test_the_query_code_is_whole_copyable_texted_and_shown_again_on_reload(
    client, host, sms_ok, id_number, sms_outbox
):
    location = _submit_petition(client, host, id_number)
    html = client.get(location, headers={"Host": host}).content.decode()
    code = re.search(r'id="query-code"[^>]*>([A-Z0-9-]+)<', html).group(1)
    assert len(code) == 23  # 20 characters in groups of five, in one element
    assert 'data-copy="query-code"' in html and "复制查询码" in html
    assert "已通过短信发送到您的手机 137****7000" in html
    texted = [m for m in sms_outbox if m["template_code"] == "query_code"]
    assert texted[0]["phone"] == "13700137000" and texted[0]["params"] == {"code": code}
    assert code in client.get(location, headers={"Host": host}).content.decode()  # reload


def test_the_printable_receipt_shows_the_code_and_how_to_look_it_up(
    client, host, sms_ok, id_number
):
    location = _submit_petition(client, host, id_number)
    code = re.search(
        r"data-query-code>([A-Z0-9-]+)<", client.get(location, headers={"Host": host}).text
    ).group(1)
    receipt = client.get("/hdjl/xf/ok/hz/", headers={"Host": host})
    html = receipt.content.decode()
    assert receipt.status_code == 200 and "no-store" in receipt["Cache-Control"]
    assert code in html and "咨询低保申请条件" in html and "信访事项提交回执" in html
    assert "身份证号码后6位" in html and "137****7000" in html and id_number not in html


def test_another_browser_and_a_stale_confirmation_do_not_show_the_code(
    client, host, sms_ok, id_number, monkeypatch
):
    from django.test import Client

    location = _submit_petition(client, host, id_number)
    assert Client().get(location, headers={"Host": host}).status_code == 302
    later = time.time() + 3 * 3600
    monkeypatch.setattr(time, "time", lambda: later)
    assert client.get(location, headers={"Host": host}).status_code == 302
    assert client.get("/hdjl/xf/ok/hz/", headers={"Host": host}).status_code == 302


def test_the_query_code_goes_out_through_a_real_gateway(settings, aliyun_sms_simulator):
    options = aliyun_sms_simulator.client_options()
    settings.SMS_PROVIDER = "backend_bridge.providers.AliyunSmsProvider"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = options["access_key_id"]
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = options["access_key_secret"]
    settings.SMS_ALIYUN_ENDPOINT = options["endpoint"]
    settings.SMS_SIGN_NAME = options["sign_name"]
    settings.SMS_TEMPLATE_QUERY_CODE = "SMS_100002"
    assert receipts.send_query_code("13800138000", "ABCDE-FGHJK-LMNPQ-RSTUV")
    text = aliyun_sms_simulator.messages[-1]["text"]
    assert "查询码为ABCDE-FGHJK-LMNPQ-RSTUV" in text and text.startswith("【广西信访】")
    settings.SMS_TEMPLATE_QUERY_CODE = "SMS_unknown"
    assert receipts.send_query_code("13800138000", "ABCDE-FGHJK-LMNPQ-RSTUV") is False


def test_a_failed_sms_does_not_lose_the_submission_and_the_page_says_so(
    client, host, sms_ok, id_number, settings
):
    settings.SMS_PROVIDER = "backend_bridge.providers.AliyunSmsProvider"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = "id"
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = "secret"
    settings.SMS_ALIYUN_ENDPOINT = "http://127.0.0.1:9/"  # nothing listens there
    settings.SMS_SIGN_NAME = "广西信访"
    settings.SMS_TIMEOUT = 1
    location = _submit_petition(client, host, id_number)
    html = client.get(location, headers={"Host": host}).content.decode()
    assert Submission.objects.count() == 1 and "查询码短信暂未发出" in html


# --- the captcha -------------------------------------------------------------------------------


def _size(png: bytes) -> tuple[int, int]:
    import io

    return Image.open(io.BytesIO(png)).size


def test_the_captcha_is_large_bigger_in_care_mode_and_has_ten_thousand_answers(client):
    normal = client.post("/api/v1/sms/captchas").json()
    large = client.post("/api/v1/sms/captchas?large=true").json()
    import base64

    width, height = _size(base64.b64decode(normal["image_base64"]))
    assert width >= 160 and height >= 60 and (normal["width"], normal["height"]) == (width, height)
    big = _size(base64.b64decode(large["image_base64"]))
    assert big[0] > width and big[1] > height
    from django.core.cache import cache

    answer = cache.get(f"{captcha.KEY_PREFIX}:{normal['captcha_key']}")["answer"]
    assert re.fullmatch(r"\d{4}", answer)  # 10,000 possible answers, nothing to compute


def test_the_form_has_a_visible_refresh_button_and_says_what_to_type(client, host):
    html = client.get("/hdjl/xf/", headers={"Host": host}).content.decode()
    assert ">换一张</button>" in html and "请填写图片中的4位数字" in html


def test_a_wrong_captcha_answer_says_exactly_what_to_do(client):
    key = client.post("/api/v1/sms/captchas").json()["captcha_key"]
    refused = client.post(
        "/api/v1/sms/codes",
        {"phone": "13800138000", "purpose": "submit", "captcha_key": key, "captcha_answer": "x"},
        content_type="application/json",
    )
    body = refused.json()
    assert refused.status_code == 400 and body["code"] == "captcha_invalid"
    assert "4位数字" in body["message"] and "换一张" in body["message"]


def test_an_expired_captcha_says_it_expired(clock_captcha):
    key, _ = verification.new_captcha("203.0.113.5")
    clock_captcha(400)
    with pytest.raises(verification.VerificationError) as error:
        verification.request_code("13800138000", "submit", "203.0.113.5", key, "1234")
    assert "5分钟失效" in error.value.message


@pytest.fixture
def clock_captcha(monkeypatch):
    start = time.time()

    def move(seconds):
        monkeypatch.setattr(verification, "clock", lambda: start + seconds)

    monkeypatch.setattr(verification, "clock", lambda: start)
    return move


# --- the development SMS notice ----------------------------------------------------------------


def _code_request(client):
    from django.core.cache import cache

    key = client.post("/api/v1/sms/captchas").json()["captcha_key"]
    answer = cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"]
    return client.post(
        "/api/v1/sms/codes",
        {"phone": "13800138000", "purpose": "submit", "captcha_key": key, "captcha_answer": answer},
        content_type="application/json",
    )


def test_in_development_the_console_sms_code_is_shown_to_the_developer(client, settings):
    settings.DEBUG = True
    notice = _code_request(client).json()["dev_notice"]
    assert re.search(r"验证码为\d{6}", notice)


def test_in_production_no_code_is_ever_shown(client, settings):
    settings.DEBUG = False
    answer = _code_request(client)
    assert answer.status_code == 202 and answer.json()["dev_notice"] == ""


# --- leader messages and suggestions in the inbox and on the case page ----------------------


def _message(portals, leader):
    return board.submit_message(
        portals["nanning"],
        board.MessageInput(
            leader=str(leader.pk),
            title="建议增开夜间公交线路",
            content="五象新区晚上九点以后基本没有公交，希望增开夜班线路方便市民出行。",
            name="张三丰",
            phone="13800138000",
            sms_code=GOOD_CODE,
        ),
    )


def test_the_inbox_names_a_leader_message_as_one(client, portals, leader, sms_ok, staff):
    submission = _message(portals, leader).submission
    client.force_login(staff("nanning", "intake"))
    listing = client.get("/admin/bridge/").content.decode()
    row = listing[listing.index(submission.title) :]
    row = row[: row.index("</tr>")]
    assert "领导留言板" in row and "网上信访" not in row
    detail = client.get(f"/admin/bridge/{submission.pk}/").content.decode()
    assert "领导留言：建议增开夜间公交线路" in detail and "信访件：" not in detail
    assert "留言人" in detail and "网上信访（普通）" not in detail


def test_an_answer_without_acceptance_never_says_a_decision_is_awaited(
    client, host, portals, leader, sms_ok
):
    accepted = _message(portals, leader)
    record_event(accepted.submission, status="replied", origin="inbox", reply="下月开通夜班线路。")
    found = client.post(
        "/hdjl/cx/",
        {"query_code": accepted.query_code, "phone": "13800138000", "sms_code": GOOD_CODE},
        headers={"Host": host},
    )
    html = client.get(found["Location"], headers={"Host": host}).content.decode()
    assert "下月开通夜班线路" in html and "直接答复" in html
    assert "决定是否受理" not in html and "自受理之日起" not in html
    assert "留言内容" in html and "留言人" in html
