"""POST /api/v1/sensitive-words/check (tested on the app's router)."""

import pytest
from ninja.testing import TestClient

from sensitive_words.api import MAX_TEXT_CHARS, router

pytestmark = pytest.mark.django_db


@pytest.fixture
def client():
    return TestClient(router)


def test_check_returns_hits_with_spans_and_a_masked_text(client, add_word):
    add_word("代开发票", category="广告", level="block")
    response = client.post("/check", json={"text": "专业代。开发票", "site": "nanning"})
    assert response.status_code == 200
    body = response.json()
    assert body["masked_text"] == "专业*****"
    assert body["level"] == "block"
    (hit,) = body["hits"]
    assert hit | {} == {
        "start": 2,
        "end": 7,
        "word": "代开发票",
        "matched_text": "代。开发票",
        "category": "广告",
        "level": "block",
        "suggestion": "",
        "dictionary": "测试词库",
        "kind": "word",
    }


def test_check_of_clean_text_returns_no_hits(client):
    body = client.post("/check", json={"text": "今天天气很好"}).json()
    assert body["hits"] == [] and body["level"] is None and body["masked_text"] == "今天天气很好"


def test_too_long_text_gets_the_project_error_shape(client):
    response = client.post("/check", json={"text": "字" * (MAX_TEXT_CHARS + 1)})
    assert response.status_code == 413
    body = response.json()
    assert set(body) == {"code", "message", "details"}
    assert body["code"] == "text_too_long"


def test_the_check_is_served_at_its_public_url(add_word):
    from django.test import Client

    add_word("代开发票", level="block", category="广告")
    response = Client().post(
        "/api/v1/sensitive-words/check",
        {"text": "专业代。开发票", "site": "nanning"},
        content_type="application/json",
    )
    assert response.status_code == 200
    assert response.json()["hits"][0]["word"] == "代开发票"
    bad = Client().post(
        "/api/v1/sensitive-words/check", "{not json", content_type="application/json"
    )
    assert 400 <= bad.status_code < 500
    assert set(bad.json()) >= {"code", "message"}
