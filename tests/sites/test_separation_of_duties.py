"""三员分立 in the admin's own user and group screens: the system administrator keeps accounts
but gives no roles, the security administrator gives roles but changes nothing else of an
account, the audit administrator only reads the audit log; what a POST tries beyond that is
ignored with a message (or refused) and recorded in the audit log."""

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from audit.models import AuditRecord, Outcome
from sites.registry import ADMIN_ROLES
from tests.sites.admin_forms import checkbox_values, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_of(django_user_model):
    def create(role):
        user = django_user_model.objects.create_user(
            f"{role}-admin", password=f"Pw-{role}-admin-2026", first_name=ADMIN_ROLES[role]
        )
        user.groups.add(Group.objects.get(name=ADMIN_ROLES[role]))
        return user

    return create


@pytest.fixture
def target(staff):
    user = staff("nanning", "editor")
    user.first_name = "黎编辑"
    user.save()
    return user


def _users(name, *args):
    return reverse(f"wagtailusers_users:{name}", args=args)


def _refusals(action):
    return AuditRecord.objects.filter(action=action, outcome=Outcome.DENIED)


def test_system_admin_edits_the_account_but_a_posted_role_is_ignored(client, admin_of, target):
    client.force_login(admin_of("system"))
    edit = client.get(_users("edit", target.pk)).content.decode()
    assert 'name="first_name"' in edit
    assert 'name="groups"' not in edit and 'name="is_superuser"' not in edit
    data = form_data(edit)
    data.update(
        first_name="黎编辑（改）",
        groups=[Group.objects.get(name=ADMIN_ROLES["system"]).pk],
        is_superuser="on",
    )
    response = client.post(_users("edit", target.pk), data, follow=True)
    assert "您无权修改角色、超级管理员，提交的角色、超级管理员已忽略" in response.content.decode()
    target.refresh_from_db()
    assert target.first_name == "黎编辑（改）" and not target.is_superuser
    assert list(target.groups.values_list("name", flat=True)) == ["南宁市信访局-编辑"]
    refusal = _refusals("account_role_change_refused").get()
    assert refusal.username == "system-admin" and refusal.target == target.username


def test_system_admin_creates_accounts_without_roles(client, admin_of, django_user_model):
    client.force_login(admin_of("system"))
    form = client.get(_users("add")).content.decode()
    assert 'name="groups"' not in form
    response = client.post(
        _users("add"),
        {
            "username": "new-staff",
            "first_name": "新同事",
            "groups": [Group.objects.get(name="南宁市信访局-管理员").pk],
        },
    )
    assert response.status_code == 200 and "one-time-password" in response.content.decode()
    created = django_user_model.objects.get(username="new-staff")
    assert not created.groups.exists()
    assert _refusals("account_role_change_refused").filter(target="new-staff").exists()


def test_security_admin_gives_roles_and_changes_nothing_else(client, admin_of, target):
    client.force_login(admin_of("security"))
    assert client.get(_users("add")).status_code == 403
    assert target.username in client.get(_users("index")).content.decode()
    edit = client.get(_users("edit", target.pk)).content.decode()
    assert 'name="groups"' in edit
    assert 'name="first_name"' not in edit and 'name="is_active"' not in edit
    roles = checkbox_values(edit, "groups")
    data = form_data(edit)
    data.update(groups=[roles["南宁市信访局-审核"]], first_name="改名", is_active="")
    response = client.post(_users("edit", target.pk), data, follow=True)
    assert "您无权修改姓名、有效，提交的姓名、有效已忽略" in response.content.decode()
    target.refresh_from_db()
    assert target.first_name == "黎编辑" and target.is_active
    assert list(target.groups.values_list("name", flat=True)) == ["南宁市信访局-审核"]
    assert _refusals("account_change_refused").filter(username="security-admin").exists()
    assert AuditRecord.objects.filter(action="groups_added", target=target.username).exists()
    # No reset buttons for the security administrator: those are account work.
    response = client.post(_users("reset_password", target.pk))
    assert response.status_code == 403


def test_security_admin_cannot_change_own_roles_or_mix_the_three_roles(client, admin_of, target):
    security = admin_of("security")
    client.force_login(security)
    assert client.get(_users("edit", security.pk)).status_code == 404
    system = admin_of("system")
    edit = client.get(_users("edit", system.pk)).content.decode()
    roles = checkbox_values(edit, "groups")
    for chosen in (
        [roles[ADMIN_ROLES["system"]], roles[ADMIN_ROLES["audit"]]],
        [roles[ADMIN_ROLES["system"]], roles["南宁市信访局-编辑"]],
    ):
        data = form_data(edit)
        data["groups"] = chosen
        response = client.post(_users("edit", system.pk), data)
        assert "三员分立" in response.content.decode()
        assert list(system.groups.values_list("name", flat=True)) == [ADMIN_ROLES["system"]]


def test_system_admin_cannot_assign_roles_in_bulk(client, admin_of, target):
    client.force_login(admin_of("system"))
    url = reverse("wagtail_bulk_action", args=["auth", "user", "assign_role"])
    client.post(f"{url}?id={target.pk}", {"role": Group.objects.get(name=ADMIN_ROLES["system"]).pk})
    assert list(target.groups.values_list("name", flat=True)) == ["南宁市信访局-编辑"]


def test_audit_admin_only_reads_the_audit_log(client, admin_of, target):
    client.force_login(admin_of("audit"))
    assert client.get("/admin/audit/").status_code == 200
    for url in (_users("index"), _users("edit", target.pk), "/admin/groups/"):
        assert client.get(url).status_code in (403, 404), url
    assert client.post(_users("set_active", target.pk) + "?active=0").status_code in (403, 404)


def test_only_the_security_admin_opens_the_group_screens(client, admin_of):
    client.force_login(admin_of("system"))
    assert client.get("/admin/groups/").status_code == 403
    client.force_login(admin_of("security"))
    assert client.get("/admin/groups/").status_code == 200


def test_the_three_groups_keep_their_rights(client, admin_of):
    client.force_login(admin_of("security"))
    audit_group = Group.objects.get(name=ADMIN_ROLES["audit"])
    before = set(audit_group.permissions.values_list("pk", flat=True))
    url = reverse("wagtailusers_groups:edit", args=[audit_group.pk])
    edit = client.get(url).content.decode()
    data = form_data(edit)
    change_user = Permission.objects.get(codename="change_user", content_type__app_label="auth")
    data["permissions"] = data.get("permissions", []) + [str(change_user.pk)]
    response = client.post(url, data)
    assert "权限由系统固定" in response.content.decode()
    assert set(audit_group.permissions.values_list("pk", flat=True)) == before
    assert _refusals("group_change_refused").filter(target=ADMIN_ROLES["audit"]).exists()
    delete = reverse("wagtailusers_groups:delete", args=[audit_group.pk])
    assert client.post(delete).status_code == 403
    assert Group.objects.filter(pk=audit_group.pk).exists()


def test_no_other_group_gets_a_right_of_the_three(client, admin_of):
    client.force_login(admin_of("security"))
    add = reverse("wagtailusers_groups:add")
    data = form_data(client.get(add).content.decode())
    change_user = Permission.objects.get(codename="change_user", content_type__app_label="auth")
    data.update(name="临时账号组", permissions=[str(change_user.pk)])
    response = client.post(add, data)
    assert "只属于系统管理员的权限" in response.content.decode()
    assert not Group.objects.filter(name="临时账号组").exists()
    data.update(permissions=[])
    assert client.post(add, data).status_code == 302
    assert Group.objects.filter(name="临时账号组").exists()


def test_system_admin_cannot_take_over_the_other_two_administrators(client, admin_of):
    auditor = admin_of("audit")
    password = auditor.password
    client.force_login(admin_of("system"))
    assert "audit-admin" not in client.get(_users("index")).content.decode()
    for name in ("reset_password", "reset_second_factor", "set_active"):
        assert client.post(_users(name, auditor.pk)).status_code == 404
    auditor.refresh_from_db()
    assert auditor.password == password and auditor.is_active
