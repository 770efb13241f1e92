"""POST /api/v1/sensitive-words/check through the front door: who may call it, how often, and what
it answers for plain text, HTML and bad input."""

import hashlib
import re
import secrets

import pytest
from django.test import Client

from sensitive_words.api import MAX_TEXT_CHARS

pytestmark = pytest.mark.django_db

URL = "/api/v1/sensitive-words/check"


def post(client, body, **headers):
    """POST ``body`` (a dict is sent as JSON, a string as it is) to the check."""
    return client.post(URL, body, content_type="application/json", headers=headers)


def assert_error(response, status: int, code: str) -> dict:
    assert response.status_code == status
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == code
    assert re.search(r"[\u4e00-\u9fff]", body["message"]), body["message"]
    return body


def digest_entry(name: str, key: str) -> str:
    return f"{name}:{hashlib.sha256(key.encode()).hexdigest()}"


@pytest.fixture
def api_key(settings):
    """The key of the service 'app' (one of two configured), configured as its digest only."""
    key = secrets.token_urlsafe(32)
    other = secrets.token_urlsafe(32)
    settings.SENSITIVE_WORDS_API_KEYS = [digest_entry("wechat", other), digest_entry("app", key)]
    return key


@pytest.fixture
def key_client(api_key):
    return Client(headers={"Authorization": f"Bearer {api_key}"})


@pytest.fixture
def staff_client(staff):
    """A nanning editor logged in to the admin, on a client that enforces CSRF as browsers meet it,
    with the csrftoken cookie the admin hands out."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(staff("nanning", "editor"))
    client.get("/admin/")
    assert client.cookies.get("csrftoken"), "the admin sets the CSRF cookie"
    return client


# --- who may call -----------------------------------------------------------------------------


def test_anonymous_caller_gets_401_with_the_project_error_shape(add_word):
    add_word("代开发票", level="block")
    response = post(Client(), {"text": "代开发票"})
    body = assert_error(response, 401, "not_authenticated")
    assert "hits" not in body
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_anonymous_caller_is_refused_before_the_body_is_read():
    assert_error(post(Client(), "{not json"), 401, "not_authenticated")


def test_logged_in_user_without_admin_access_gets_403(django_user_model):
    client = Client()
    client.force_login(django_user_model.objects.create_user("citizen", password="x"))
    assert_error(post(client, {"text": "你好"}), 403, "permission_denied")


def test_staff_session_with_its_csrf_token_gets_the_check(staff_client, add_word):
    add_word("代开发票", level="block", category="广告")
    token = staff_client.cookies["csrftoken"].value
    response = post(staff_client, {"text": "专业代开发票"}, **{"X-CSRFToken": token})
    assert response.status_code == 200
    assert response.json()["hits"][0]["word"] == "代开发票"


def test_staff_session_without_the_csrf_token_is_refused(staff_client):
    assert_error(post(staff_client, {"text": "你好"}), 403, "csrf_failed")


def test_staff_session_with_a_wrong_csrf_token_is_refused(staff_client):
    response = post(staff_client, {"text": "你好"}, **{"X-CSRFToken": "x" * 32})
    assert_error(response, 403, "csrf_failed")


def test_superuser_session_gets_the_check(admin_client):
    assert post(admin_client, {"text": "你好"}).status_code == 200


def test_valid_api_key_as_bearer_token_gets_the_check(key_client):
    assert post(key_client, {"text": "你好"}).status_code == 200


def test_valid_api_key_in_x_api_key_header_gets_the_check(api_key):
    assert post(Client(), {"text": "你好"}, **{"X-API-Key": api_key}).status_code == 200


def test_api_key_needs_no_csrf_token(api_key):
    client = Client(enforce_csrf_checks=True, headers={"Authorization": f"Bearer {api_key}"})
    assert post(client, {"text": "你好"}).status_code == 200


def test_invalid_api_key_gets_401(api_key):
    client = Client(headers={"Authorization": "Bearer " + api_key[:-1] + "x"})
    assert_error(post(client, {"text": "你好"}), 401, "invalid_api_key")
    assert_error(post(Client(), {"text": "你好"}, **{"X-API-Key": "guess"}), 401, "invalid_api_key")


def test_the_configured_digest_itself_is_not_a_key(settings, api_key):
    digest = settings.SENSITIVE_WORDS_API_KEYS[1].split(":")[1]
    client = Client(headers={"Authorization": f"Bearer {digest}"})
    assert_error(post(client, {"text": "你好"}), 401, "invalid_api_key")


def test_no_key_is_accepted_when_none_is_configured(settings):
    settings.SENSITIVE_WORDS_API_KEYS = []
    client = Client(headers={"Authorization": "Bearer anything"})
    assert_error(post(client, {"text": "你好"}), 401, "invalid_api_key")


def test_malformed_key_entry_is_a_configuration_error(settings):
    from django.core.exceptions import ImproperlyConfigured

    from sensitive_words.api import configured_keys

    settings.SENSITIVE_WORDS_API_KEYS = ["app:not-a-digest"]
    with pytest.raises(ImproperlyConfigured, match="entry 1"):
        configured_keys()


# --- how often --------------------------------------------------------------------------------


def test_caller_over_the_rate_gets_429_with_retry_after(settings, key_client):
    settings.SENSITIVE_WORDS_API_RATE = "2/m"
    assert post(key_client, {"text": "一"}).status_code == 200
    assert post(key_client, {"text": "二"}).status_code == 200
    response = post(key_client, {"text": "三"})
    body = assert_error(response, 429, "rate_limited")
    retry_after = int(response["Retry-After"])
    assert 1 <= retry_after <= 60
    assert body["details"]["retry_after"] == retry_after


def test_rate_is_counted_per_caller(settings, key_client, admin_client):
    settings.SENSITIVE_WORDS_API_RATE = "1/m"
    assert post(key_client, {"text": "一"}).status_code == 200
    assert post(key_client, {"text": "二"}).status_code == 429
    assert post(admin_client, {"text": "三"}).status_code == 200
    assert post(admin_client, {"text": "四"}).status_code == 429


def test_anonymous_requests_do_not_use_up_a_callers_rate(settings, key_client):
    settings.SENSITIVE_WORDS_API_RATE = "1/m"
    for _ in range(3):
        assert post(Client(), {"text": "一"}).status_code == 401
    assert post(key_client, {"text": "二"}).status_code == 200


def test_rate_limit_without_a_cache_refuses_with_503(key_client, monkeypatch):
    def unreachable(*args, **kwargs):
        raise ConnectionError("redis down")

    monkeypatch.setattr("sensitive_words.api.get_usage", unreachable)
    assert_error(post(key_client, {"text": "一"}), 503, "rate_limit_unavailable")


# --- plain text -------------------------------------------------------------------------------


def test_check_returns_hits_with_spans_and_a_masked_text(key_client, add_word):
    add_word("代开发票", category="广告", level="block")
    response = post(key_client, {"text": "专业代-开发票，请联系", "site": "nanning"})
    assert response.status_code == 200
    body = response.json()
    assert body["masked_text"] == "专业*****，请联系"
    assert body["level"] == "block"
    (hit,) = body["hits"]
    assert hit == {
        "start": 2,
        "end": 7,
        "word": "代开发票",
        "matched_text": "代-开发票",
        "category": "广告",
        "level": "block",
        "suggestion": "",
        "dictionary": "测试词库",
        "kind": "word",
        "via": "",
    }


def test_a_hit_only_across_a_sentence_end_is_review_level_and_says_why(key_client, add_word):
    add_word("白粉", category="暴恐", level="block")
    body = post(key_client, {"text": "墙面刷得很白。粉刷工作已完成。"}).json()
    (hit,) = body["hits"]
    assert (hit["word"], hit["level"], hit["via"]) == ("白粉", "review", "跨句连接")
    assert body["level"] == "review"


def test_check_of_clean_text_returns_no_hits(key_client):
    body = post(key_client, {"text": "今天天气很好"}).json()
    assert body["hits"] == [] and body["level"] is None and body["masked_text"] == "今天天气很好"


def test_plain_text_is_not_read_as_html(key_client, add_word):
    add_word("代开发票", level="block")
    body = post(key_client, {"text": "<b>代开发票</b>"}).json()
    assert (body["hits"][0]["start"], body["hits"][0]["end"]) == (3, 7)


# --- HTML -------------------------------------------------------------------------------------


def test_html_hits_point_into_the_submitted_html(key_client, add_word):
    add_word("代开发票", level="block", category="广告")
    source = '<p class="x">专业代<b>开</b>发&#31080;，请联系</p><p>第二段</p>'
    response = post(key_client, {"text": source, "format": "html"})
    assert response.status_code == 200
    body = response.json()
    (hit,) = body["hits"]
    assert source[hit["start"] : hit["end"]] == "代<b>开</b>发&#31080;"
    assert hit["matched_text"] == "代开发票"
    assert body["masked_text"] == '<p class="x">专业*<b>*</b>**，请联系</p><p>第二段</p>'


def test_html_hit_across_a_line_break_and_an_entity(key_client, add_word):
    add_word("代开发票", level="review")
    source = "<div>代开<br/>发&nbsp;票</div>"
    (hit,) = post(key_client, {"text": source, "format": "html"}).json()["hits"]
    assert source[hit["start"] : hit["end"]] == "代开<br/>发&nbsp;票"


def test_html_scripts_styles_and_tags_are_not_checked(key_client, add_word):
    add_word("代开发票", level="block")
    add_word("spam", level="block")
    source = (
        "<script>代开发票</script><style>.spam{}</style><p title='代开发票' class='spam'>好</p>"
    )
    body = post(key_client, {"text": source, "format": "html"}).json()
    assert body["hits"] == [] and body["masked_text"] == source


@pytest.mark.parametrize(
    "source",
    [
        "<a " * 20000 + "代开发票",
        "<!--" * 20000 + "代开发票",
        "<![x[" * 10000 + "代开发票",
        "&#" * 30000 + ";代开发票",
        "<p>代开发票" + "<div>" * 30000,
        "<scr<script>ipt>代开发票</script>",
        "\x00<p\x00>代开发票</p\x00>",
    ],
)
def test_hostile_html_gets_an_answer(key_client, add_word, source):
    add_word("代开发票", level="block")
    response = post(key_client, {"text": source, "format": "html"})
    assert response.status_code == 200
    for hit in response.json()["hits"]:
        assert 0 <= hit["start"] < hit["end"] <= len(source)


# --- bad input --------------------------------------------------------------------------------


def test_unknown_format_gets_a_clear_error(key_client):
    body = assert_error(post(key_client, {"text": "你好", "format": "xml"}), 422, "invalid_input")
    assert "format" in body["message"] and "html" in body["message"]


def test_invalid_json_gets_400(key_client):
    assert_error(post(key_client, "{not json"), 400, "invalid_json")
    assert_error(post(key_client, ""), 400, "invalid_json")


def test_lone_surrogate_is_invalid_json(key_client):
    assert_error(post(key_client, '{"text": "\\ud800"}'), 400, "invalid_json")


def test_body_that_is_not_an_object_gets_422(key_client):
    assert_error(post(key_client, "[]"), 422, "invalid_input")
    assert_error(post(key_client, '"代开发票"'), 422, "invalid_input")


def test_missing_or_mistyped_text_gets_422(key_client):
    body = assert_error(post(key_client, {"site": "nanning"}), 422, "invalid_input")
    assert "text" in body["message"]
    assert_error(post(key_client, {"text": 5}), 422, "invalid_input")
    assert_error(post(key_client, {"text": "x", "site": ["nanning"]}), 422, "invalid_input")


def test_too_long_text_gets_413(key_client):
    body = assert_error(
        post(key_client, {"text": "字" * (MAX_TEXT_CHARS + 1)}), 413, "text_too_long"
    )
    assert body["details"] == {"max_chars": MAX_TEXT_CHARS, "chars": MAX_TEXT_CHARS + 1}


def test_too_long_html_gets_413(key_client):
    text = "<p>" + "字" * MAX_TEXT_CHARS + "</p>"
    assert_error(post(key_client, {"text": text, "format": "html"}), 413, "text_too_long")


def test_a_malformed_key_entry_fails_the_system_check_at_startup(settings):
    from django.core.checks import run_checks

    settings.SENSITIVE_WORDS_API_KEYS = ["app-without-digest"]
    errors = [e for e in run_checks() if e.id == "sensitive_words.E001"]
    assert len(errors) == 1 and "SENSITIVE_WORDS_API_KEYS entry 1" in errors[0].msg
