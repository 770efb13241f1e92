"""A portal's administrator manages that portal's accounts only: list, create, reset, disable
and re-enable, with buttons; nothing of another portal or of the installation's administrators."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from sites.registry import ADMIN_ROLES

pytestmark = pytest.mark.django_db


def test_portal_admin_lists_only_own_portals_accounts_with_buttons(client, staff):
    own = staff("nanning", "editor")
    other = staff("liuzhou", "editor")
    client.force_login(staff("nanning", "admin"))
    page = client.get(reverse("portal_accounts"))
    assert page.status_code == 200
    html = page.content.decode()
    assert own.username in html and other.username not in html
    assert reverse("portal_reset_password", args=[own.pk]) in html
    assert reverse("portal_set_active", args=[own.pk]) in html


def test_portal_admin_creates_an_account_on_own_portal(client, staff, django_user_model):
    client.force_login(staff("nanning", "admin"))
    response = client.post(
        reverse("portal_accounts"),
        {
            "username": "nn-new-handler",
            "name": "黄受理",
            "phone": "",
            "portal": "nanning",
            "role": "intake",
        },
    )
    assert response.status_code == 200 and "<code" in response.content.decode()
    created = django_user_model.objects.get(username="nn-new-handler")
    assert list(created.groups.values_list("name", flat=True)) == ["南宁市信访局-受理"]
    assert created.account_profile.must_change_password


def test_bad_input_and_another_portal_are_refused_keeping_what_was_typed(client, staff):
    existing = staff("nanning", "editor")
    client.force_login(staff("nanning", "admin"))
    response = client.post(
        reverse("portal_accounts"),
        {"username": existing.username, "name": "重复", "portal": "liuzhou", "role": "admin"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "该用户名已被使用" in html and 'value="重复"' in html
    assert "柳州市信访局" not in html.split("<h2>新建账号</h2>")[1]


def test_portal_admin_resets_disables_and_reenables_own_portals_account(client, staff):
    target = staff("nanning", "editor")
    client.force_login(staff("nanning", "admin"))
    response = client.post(reverse("portal_reset_password", args=[target.pk]))
    assert response.status_code == 200 and "<code" in response.content.decode()
    client.post(reverse("portal_set_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active
    client.post(reverse("portal_set_active", args=[target.pk]) + "?active=1")
    target.refresh_from_db()
    assert target.is_active


def test_portal_admin_cannot_touch_other_portals_or_installation_admins(
    client, staff, django_user_model
):
    liuzhou = staff("liuzhou", "editor")
    auditor = django_user_model.objects.create_user("aud-1", password="Pw-aud-1-2026x")
    auditor.groups.add(Group.objects.get(name=ADMIN_ROLES["audit"]))
    both = staff("nanning", "editor")
    both.groups.add(Group.objects.get(name="柳州市信访局-编辑"))
    client.force_login(staff("nanning", "admin"))
    for target in (liuzhou, auditor, both):
        response = client.post(reverse("portal_set_active", args=[target.pk]), {"active": "0"})
        assert response.status_code == 403
        target.refresh_from_db()
        assert target.is_active
        assert client.post(reverse("portal_reset_password", args=[target.pk])).status_code == 403


def test_other_roles_do_not_get_the_account_screen(client, staff):
    for role in ("editor", "handler"):
        client.force_login(staff("nanning", role))
        assert client.get(reverse("portal_accounts")).status_code == 403


def test_user_listing_offers_disable_buttons_to_the_system_administrator(
    client, staff, django_user_model
):
    target = staff("nanning", "editor")
    system = django_user_model.objects.create_user("sys-1", password="Pw-sys-1-2026x")
    system.groups.add(Group.objects.get(name=ADMIN_ROLES["system"]))
    client.force_login(system)
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("portal_set_active", args=[target.pk]) + "?active=0" in html
    assert client.get("/admin/audit/").status_code == 403  # and no audit log (三员)
