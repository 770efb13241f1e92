"""Password policy through the password form staff use (设置新密码): length and classes, common
passwords, the username, no reuse of the last 5, expiry with a warning, and the seeded
administrator's one-time password."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from security.models import PasswordHistory

pytestmark = pytest.mark.django_db
FIRST = "Xinfang#Secure2026"


@pytest.fixture
def user(staff):
    account = staff("nanning", "editor")
    account.set_password(FIRST)
    account.save()
    return account


def change(client, old, new):
    return client.post(
        reverse("portal_first_password"),
        {"old_password": old, "new_password1": new, "new_password2": new},
    )


@pytest.mark.parametrize(
    "password, message",
    [
        ("Ab#1234", "密码长度太短"),
        ("xinfangxinfang", "至少包含大写字母、小写字母、数字、符号中的三类"),
        ("Password123", "这个密码太常见了"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(client, user, password, message):
    client.force_login(user)
    response = change(client, FIRST, password)
    assert response.status_code == 200 and message in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(FIRST)


def test_a_password_containing_the_username_is_refused(client, user):
    client.force_login(user)
    response = change(client, FIRST, f"X#{user.username.upper()}9")
    assert "密码不能包含用户名" in response.content.decode()


def test_none_of_the_last_five_passwords_may_come_back(client, user):
    client.force_login(user)
    passwords = [FIRST] + [f"Guangxi#{n}Xinfang" for n in range(1, 6)]
    for old, new in zip(passwords, passwords[1:], strict=False):
        assert change(client, old, new).status_code == 302
        client.force_login(get_user_model().objects.get(pk=user.pk))
    current = passwords[-1]
    # passwords[1:6] are the last five (the current one included): all refused.
    for earlier in passwords[1:]:
        response = change(client, current, earlier)
        assert "不能与最近 5 次使用过的密码相同" in response.content.decode()
    # The sixth from now is out of the history and may be used again.
    assert change(client, current, FIRST).status_code == 302
    assert PasswordHistory.objects.filter(user=user).count() == 5
    assert all(FIRST not in h for h in PasswordHistory.objects.values_list("password", flat=True))


def test_an_expired_password_must_be_changed_in_both_admins(client, user):
    PasswordHistory.objects.filter(user=user).update(
        changed_at=timezone.now() - timezone.timedelta(days=91)
    )
    client.force_login(user)
    for path in ("/admin/", "/admin/pages/", "/django-admin/"):
        response = client.get(path)
        assert response.status_code == 302 and response["Location"] == reverse(
            "portal_first_password"
        ), path
    page = client.get(reverse("portal_first_password")).content.decode()
    assert "您的密码已超过有效期" in page
    assert change(client, FIRST, "Nanning#Renewed2027").status_code == 302
    assert client.get("/admin/").status_code == 200


def test_staff_are_warned_before_the_password_expires(client, user, post_login):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    PasswordHistory.objects.filter(user=user).update(
        changed_at=timezone.now() - timezone.timedelta(days=80)
    )
    TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    post_login(client, user.username, FIRST)
    page = client.get("/admin/otp/").content.decode()
    assert "您的密码将在 10 天后过期，请及时修改" in page


def test_the_seeded_administrator_changes_its_one_time_password_at_first_login(client):
    from sites.services.seeding import SeedReport, ensure_admin

    get_user_model().objects.filter(is_superuser=True).delete()
    report = SeedReport()
    ensure_admin(report, username="seeded_root")
    admin = get_user_model().objects.get(username="seeded_root")
    assert admin.account_profile.must_change_password
    client.force_login(admin)
    for path in ("/admin/", "/django-admin/"):
        assert client.get(path)["Location"] == reverse("portal_first_password")
    assert change(client, report.admin_password, "Root#Xinfang2026new").status_code == 302
    assert client.get("/django-admin/").status_code == 200
