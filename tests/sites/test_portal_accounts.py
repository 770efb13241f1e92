"""A portal's administrator manages that portal's accounts from the admin's own user list
(设置 → 用户): the list shows only their portal's accounts, with buttons to create, reset the
password or the second factor, disable and re-enable; the portal's own roles only can be given;
every action on another portal's account (or an installation administrator's) answers 403/404."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from audit.models import AuditRecord
from sites.registry import ADMIN_ROLES
from tests.sites.admin_forms import checkbox_values, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def nanning_admin(client, staff):
    admin = staff("nanning", "admin")
    client.force_login(admin)
    return admin


@pytest.fixture
def accounts(staff):
    own = staff("nanning", "editor")
    own.first_name = "南宁编辑甲"
    own.save()
    other = staff("liuzhou", "editor")
    other.first_name = "柳州编辑乙"
    other.save()
    return {"own": own, "other": other}


def _users(name, *args):
    return reverse(f"wagtailusers_users:{name}", args=args)


def test_the_user_list_shows_only_own_portals_accounts_with_their_buttons(
    client, nanning_admin, accounts
):
    page = client.get(_users("index"))
    assert page.status_code == 200
    html = page.content.decode()
    own, other = accounts["own"], accounts["other"]
    assert own.username in html and "南宁编辑甲" in html and "南宁市信访局-编辑" in html
    assert other.username not in html and "柳州编辑乙" not in html and "柳州市信访局" not in html
    assert _users("add") in html
    for url in (
        _users("edit", own.pk),
        _users("reset_password", own.pk),
        _users("reset_second_factor", own.pk),
        _users("set_active", own.pk) + "?active=0",
    ):
        assert url in html
    # Searching by the other portal's name finds nothing either.
    assert "柳州编辑乙" not in client.get(_users("index"), {"q": "柳州"}).content.decode()


def test_the_former_account_screen_leads_to_the_user_list(client, nanning_admin):
    response = client.get("/admin/portal-accounts/")
    assert response.status_code == 301 and response["Location"] == _users("index")


def test_portal_admin_creates_an_account_through_the_user_form(
    client, nanning_admin, django_user_model
):
    form = client.get(_users("add")).content.decode()
    roles = checkbox_values(form, "groups")
    assert "南宁市信访局-受理" in roles and "南宁市信访局-编辑" in roles
    assert not [r for r in roles if "柳州" in r or r in ADMIN_ROLES.values()]
    assert "南宁市信访局-管理员" not in roles
    assert 'name="password1"' not in form and 'name="is_superuser"' not in form
    data = form_data(form)
    data.update(
        username="nn-new-intake",
        first_name="黄受理",
        email="",
        phone="13800000001",
        groups=[roles["南宁市信访局-受理"]],
    )
    response = client.post(_users("add"), data)
    assert response.status_code == 200
    assert '<code class="one-time-password">' in response.content.decode()
    created = django_user_model.objects.get(username="nn-new-intake")
    assert list(created.groups.values_list("name", flat=True)) == ["南宁市信访局-受理"]
    assert created.first_name == "黄受理" and created.account_profile.phone == "13800000001"
    assert created.account_profile.must_change_password
    assert "nn-new-intake" in client.get(_users("index")).content.decode()


def test_another_portals_role_is_refused_and_what_was_typed_is_kept(
    client, nanning_admin, django_user_model
):
    liuzhou_editor = Group.objects.get(name="柳州市信访局-编辑")
    nanning_admin_role = Group.objects.get(name="南宁市信访局-管理员")
    for group in (liuzhou_editor, nanning_admin_role):
        response = client.post(
            _users("add"),
            {"username": "nn-sneaky", "first_name": "韦某", "groups": [group.pk]},
        )
        assert response.status_code == 200
        html = response.content.decode()
        assert 'value="韦某"' in html and "one-time-password" not in html
        assert not django_user_model.objects.filter(username="nn-sneaky").exists()
    # Without a role the account would not be the portal's: a role is required.
    response = client.post(_users("add"), {"username": "nn-norole", "first_name": "韦某"})
    assert not django_user_model.objects.filter(username="nn-norole").exists()
    assert "这个字段是必填项" in response.content.decode() or "必填" in response.content.decode()


def test_one_person_gets_one_role_per_portal(client, nanning_admin, django_user_model):
    editor = Group.objects.get(name="南宁市信访局-编辑")
    intake = Group.objects.get(name="南宁市信访局-受理")
    response = client.post(
        _users("add"),
        {"username": "nn-both", "first_name": "覃某", "groups": [editor.pk, intake.pk]},
    )
    assert "同一门户只能担任一个角色" in response.content.decode()
    assert not django_user_model.objects.filter(username="nn-both").exists()


def test_portal_admin_edits_resets_disables_and_reenables_own_account(
    client, nanning_admin, accounts
):
    target = accounts["own"]
    TOTPDevice.objects.create(user=target, name="手机", confirmed=True)
    edit = client.get(_users("edit", target.pk)).content.decode()
    data = form_data(edit)
    data.update(first_name="南宁编辑丙", phone="13900000002")
    data["groups"] = [checkbox_values(edit, "groups")["南宁市信访局-审核"]]
    assert client.post(_users("edit", target.pk), data).status_code == 302
    target.refresh_from_db()
    assert target.first_name == "南宁编辑丙" and target.account_profile.phone == "13900000002"
    assert list(target.groups.values_list("name", flat=True)) == ["南宁市信访局-审核"]

    response = client.post(_users("reset_password", target.pk))
    assert response.status_code == 200 and "one-time-password" in response.content.decode()
    target.refresh_from_db()
    assert target.account_profile.must_change_password

    response = client.post(_users("reset_second_factor", target.pk), follow=True)
    assert "已重置账号" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=target).exists()

    client.post(_users("set_active", target.pk) + "?active=0")
    target.refresh_from_db()
    assert not target.is_active
    client.post(_users("set_active", target.pk), {"active": "1"})
    target.refresh_from_db()
    assert target.is_active


def test_the_former_action_addresses_still_work(client, nanning_admin, accounts):
    target = accounts["own"]
    response = client.post(f"/admin/accounts/{target.pk}/active/", {"active": "0"}, follow=True)
    assert response.status_code == 200
    target.refresh_from_db()
    assert not target.is_active


def test_every_action_on_a_liuzhou_account_is_refused(client, nanning_admin, accounts):
    other = accounts["other"]
    TOTPDevice.objects.create(user=other, name="手机", confirmed=True)
    password = other.password
    gets = [_users(name, other.pk) for name in ("edit", "history", "delete", "usage")]
    gets.append(f"/admin/users/copy/{other.pk}/")  # no copies: they would carry roles along
    posts = gets + [
        _users("reset_password", other.pk),
        _users("reset_second_factor", other.pk),
        _users("set_active", other.pk) + "?active=0",
        f"/admin/accounts/{other.pk}/reset-password/",
    ]
    for url in gets:
        response = client.get(url, follow=True)
        assert response.status_code in (403, 404), url
        assert "柳州编辑乙" not in response.content.decode()
    for url in posts:
        response = client.post(url, {"first_name": "改名", "active": "0"}, follow=True)
        assert response.status_code in (403, 404), url
        assert "柳州编辑乙" not in response.content.decode()
    other.refresh_from_db()
    assert other.is_active and other.first_name == "柳州编辑乙" and other.password == password
    assert TOTPDevice.objects.filter(user=other).exists()


def test_installation_admins_and_accounts_shared_with_another_portal_are_not_theirs(
    client, staff, nanning_admin, django_user_model
):
    auditor = django_user_model.objects.create_user("aud-1", password="Pw-aud-1-2026x")
    auditor.groups.add(Group.objects.get(name=ADMIN_ROLES["audit"]))
    both = staff("nanning", "editor")
    both.groups.add(Group.objects.get(name="柳州市信访局-编辑"))
    html = client.get(_users("index")).content.decode()
    assert "aud-1" not in html and both.username not in html
    for target in (auditor, both):
        assert client.get(_users("edit", target.pk)).status_code == 404
        response = client.post(_users("set_active", target.pk) + "?active=0")
        assert response.status_code == 404
        target.refresh_from_db()
        assert target.is_active


def test_another_administrator_of_the_same_portal_is_not_theirs(client, staff, nanning_admin):
    """The 管理员 role is the security administrator's to give: a peer who could reset its password
    and second factor could sign in as it, so another 南宁 管理员 is absent and refused."""
    peer = staff("nanning", "admin")
    peer.first_name = "南宁管理员乙"
    peer.save()
    html = client.get(_users("index")).content.decode()
    assert "南宁管理员乙" not in html and peer.username not in html
    assert client.get(_users("edit", peer.pk)).status_code == 404
    for action in ("reset_password", "reset_second_factor"):
        assert client.post(_users(action, peer.pk)).status_code == 404
    assert client.post(_users("set_active", peer.pk) + "?active=0").status_code == 404
    peer.refresh_from_db()
    assert peer.is_active
    # Their own account stays theirs to edit.
    assert client.get(_users("edit", nanning_admin.pk)).status_code == 200


def test_bulk_actions_of_the_list_stay_within_the_portal(client, nanning_admin, accounts):
    own, other = accounts["own"], accounts["other"]
    url = reverse("wagtail_bulk_action", args=["auth", "user", "set_active_state"])
    client.post(f"{url}?id={own.pk}&id={other.pk}", {"mark_as_active": "False"})
    own.refresh_from_db()
    other.refresh_from_db()
    assert not own.is_active and other.is_active
    assert AuditRecord.objects.filter(action="user_disabled", target=own.username).exists()
    url = reverse("wagtail_bulk_action", args=["auth", "user", "assign_role"])
    liuzhou_admin = Group.objects.get(name="柳州市信访局-管理员")
    client.post(f"{url}?id={own.pk}", {"role": liuzhou_admin.pk})
    assert not own.groups.filter(pk=liuzhou_admin.pk).exists()


def test_content_and_handling_staff_get_no_user_screens(client, staff):
    for role in ("editor", "handler"):
        client.force_login(staff("nanning", role))
        assert client.get(_users("index")).status_code == 403
        assert client.get(_users("add")).status_code == 403
