"""Oversized bodies are refused with 413 before they are read; the admin allows video sizes."""

import pytest

pytestmark = pytest.mark.django_db


def test_an_oversized_petition_is_refused_before_it_is_read(client, portals, settings):
    settings.REQUEST_MAX_BYTES = 1024
    body = b"x" * 10
    response = client.generic(
        "POST",
        "/api/v1/petitions",
        body,
        content_type="multipart/form-data; boundary=zz",
        CONTENT_LENGTH=str(50 * 1024 * 1024),  # what a client announces: nothing more is read
        headers={"Host": portals["nanning"].site.hostname},
    )
    assert response.status_code == 413
    assert "提交的内容过大" in response.content.decode()


def test_a_body_within_the_limit_reaches_the_form(client, portals, settings):
    settings.REQUEST_MAX_BYTES = 10 * 1024 * 1024
    response = client.post(
        "/hdjl/xf/", {"title": "只有标题"}, headers={"Host": portals["nanning"].site.hostname}
    )
    assert response.status_code == 400 and "请填写" in response.content.decode()


def test_the_admin_has_its_own_larger_limit(client, settings):
    settings.REQUEST_MAX_BYTES = 1024
    settings.REQUEST_MAX_BYTES_ADMIN = 1024 * 1024
    small_for_admin = client.generic(
        "POST", "/admin/login/", b"", CONTENT_LENGTH=str(4096), content_type="text/plain"
    )
    assert small_for_admin.status_code != 413
    too_big = client.generic(
        "POST", "/admin/login/", b"", CONTENT_LENGTH=str(2 * 1024 * 1024), content_type="text/plain"
    )
    assert too_big.status_code == 413


def test_a_malformed_length_is_a_400(client):
    response = client.generic("POST", "/api/v1/petitions", b"", CONTENT_LENGTH="lots")
    assert response.status_code == 400
