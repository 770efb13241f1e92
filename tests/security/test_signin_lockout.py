"""Lockout (django-axes) through the login forms: per account and per address, an increasing
delay before it, a cool-off that ends by itself and doubles on the next lockout, a forged
X-Forwarded-For changes nothing, and the security administrator's 解除锁定 button."""

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db
PASSWORD = "Xinfang#Secure2026"


@pytest.fixture
def account(db):
    return get_user_model().objects.create_user(username="lock_editor", password=PASSWORD)


def fail(client, clock, post_login, username="lock_editor", times=1, path="/admin/login/", **extra):
    for _ in range(times):
        response = post_login(client, username, "wrong-password", path=path, **extra)
        assert response.status_code in (200, 429)
        clock.advance(120)  # past the delay after each failure
    return response


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_five_failures_lock_the_account_with_a_chinese_page(client, clock, account, post_login):
    fail(client, clock, post_login, times=4)
    response = post_login(client, "lock_editor", "wrong-password")
    assert response.status_code == 429
    html = response.content.decode()
    assert "登录失败次数过多" in html and "30 分钟后自动解锁" in html
    # Even the right password is refused now, from another address too.
    other = Client(REMOTE_ADDR="10.9.9.9")
    locked = post_login(other, "lock_editor", PASSWORD)
    assert locked.status_code == 429 and not signed_in(other)


def test_failures_from_one_address_lock_that_address_for_every_account(
    client, clock, account, post_login
):
    for n in range(5):
        fail(client, clock, post_login, username=f"nobody{n}")
    assert post_login(client, "lock_editor", PASSWORD).status_code == 429
    elsewhere = Client(REMOTE_ADDR="10.1.2.3")
    assert post_login(elsewhere, "lock_editor", PASSWORD).status_code == 302
    assert signed_in(elsewhere)


def test_a_forged_forwarded_for_header_does_not_escape_the_address_lock(
    client, clock, account, post_login
):
    for n in range(5):
        fail(client, clock, post_login, username=f"bot{n}", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    response = post_login(client, "lock_editor", PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and not signed_in(client)


def test_each_failure_makes_the_next_try_wait_longer(client, clock, account, post_login):
    post_login(client, "lock_editor", "wrong-password")
    clock.advance(0.1)
    post_login(client, "lock_editor", "wrong-password")
    # Within a second of the second failure even the right password is not checked.
    clock.advance(0.2)
    early = post_login(client, "lock_editor", PASSWORD)
    assert early.status_code == 200 and "登录失败次数较多，请 1 秒后再试" in early.content.decode()
    assert not signed_in(client)
    clock.advance(3)  # the refused try counted: the wait is now two seconds
    assert post_login(client, "lock_editor", PASSWORD).status_code == 302
    assert signed_in(client)


def test_the_django_admin_login_is_locked_too(client, clock, post_login):
    get_user_model().objects.create_superuser("lock_root", password=PASSWORD)
    fail(client, clock, post_login, username="lock_root", times=5, path="/django-admin/login/")
    response = post_login(client, "lock_root", PASSWORD, path="/django-admin/login/")
    assert response.status_code == 429 and not signed_in(client)
    # …and the lock holds for the Wagtail admin's login as well.
    assert post_login(Client(REMOTE_ADDR="10.7.7.7"), "lock_root", PASSWORD).status_code == 429


def test_the_lock_ends_by_itself_and_the_next_one_lasts_twice_as_long(
    client, clock, account, post_login
):
    fail(client, clock, post_login, times=5)
    assert post_login(client, "lock_editor", PASSWORD).status_code == 429
    # 31 minutes later (attempts are dated by the database) the account may sign in again.
    AccessAttempt.objects.update(attempt_time=timezone.now() - timezone.timedelta(minutes=31))
    clock.advance(31 * 60)
    assert post_login(client, "lock_editor", PASSWORD).status_code == 302
    client.post("/admin/logout/")
    fail(client, clock, post_login, times=5)
    again = post_login(client, "lock_editor", PASSWORD)
    assert again.status_code == 429 and "60 分钟后自动解锁" in again.content.decode()


def test_a_security_administrator_unlocks_an_account_with_the_button(
    client, clock, account, post_login, staff
):
    fail(client, clock, post_login, times=5, REMOTE_ADDR="10.5.5.5")
    security_admin = get_user_model().objects.create_user("sec_admin", password=PASSWORD)
    security_admin.user_permissions.add(
        Permission.objects.get(codename="access_admin"),
        Permission.objects.get(codename="unlock_accounts"),
    )
    admin_client = Client()
    admin_client.force_login(security_admin)
    listing = admin_client.get("/admin/security/lockouts/").content.decode()
    assert "lock_editor" in listing and "10.5.5.5" in listing and "解除锁定" in listing
    response = admin_client.post(
        "/admin/security/lockouts/unlock/", {"kind": "user", "value": "lock_editor"}, follow=True
    )
    assert "已解除账号 lock_editor 的登录锁定" in response.content.decode()
    assert post_login(Client(), "lock_editor", PASSWORD).status_code == 302


def test_staff_without_the_permission_see_no_lockouts(client, clock, account, post_login, staff):
    fail(client, clock, post_login, times=5)
    editor_client = Client()
    editor_client.force_login(staff("nanning", "admin"))
    listing = editor_client.get("/admin/security/lockouts/")
    assert listing.status_code in (302, 403) and "lock_editor" not in listing.content.decode()
    refused = editor_client.post(
        "/admin/security/lockouts/unlock/", {"kind": "user", "value": "lock_editor"}
    )
    assert refused.status_code in (302, 403)
    assert post_login(Client(REMOTE_ADDR="10.8.8.8"), "lock_editor", PASSWORD).status_code == 429
