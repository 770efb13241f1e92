"""Sessions of signed-in staff: the idle timeout, the absolute one, and sign-out that ends the
session on the server."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client

pytestmark = pytest.mark.django_db


def test_thirty_idle_minutes_sign_the_user_out(client, staff, clock):
    client.force_login(staff("nanning", "editor"))
    assert client.get("/admin/").status_code == 200
    clock.advance(29 * 60)
    assert client.get("/admin/").status_code == 200  # activity keeps the session alive
    clock.advance(29 * 60)
    assert client.get("/admin/").status_code == 200
    clock.advance(31 * 60)
    response = client.get("/admin/pages/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    page = client.get(response["Location"]).content.decode()
    assert "长时间未操作，已自动退出登录" in page
    assert client.get("/admin/").status_code == 302


def test_the_absolute_lifetime_ends_even_a_busy_session(client, staff, clock, settings):
    client.force_login(staff("nanning", "editor"))
    for _ in range(17):  # 17 × 29 minutes > 8 hours
        clock.advance(29 * 60)
        response = client.get("/admin/")
    assert response.status_code == 302
    assert "登录已超过最长有效时间" in client.get(response["Location"]).content.decode()


def test_signing_out_ends_the_session_on_the_server(staff):
    client = Client()
    client.force_login(staff("nanning", "editor"))
    key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()
    client.post("/admin/logout/")
    assert not Session.objects.filter(session_key=key).exists()
    # A copy of the old cookie is worth nothing afterwards.
    thief = Client()
    thief.cookies["sessionid"] = key
    assert thief.get("/admin/").status_code == 302


def test_the_editors_presence_pings_do_not_count_as_activity(client, staff, clock):
    client.force_login(staff("nanning", "editor"))
    assert client.get("/admin/").status_code == 200
    for _ in range(4):
        clock.advance(10 * 60)
        client.post("/admin/editing-sessions/ping/wagtailcore.page/1/0/")
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
