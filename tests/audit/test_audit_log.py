"""The security audit log: events recorded with who/when/where/outcome, the HMAC-SM3 chain that
audit_verify checks, retention, and the audit administrator's screen (search, filter, export)."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from audit import services
from audit.models import AppendOnlyError, AuditChain, AuditRecord, Category
from cms.factories import ArticlePageFactory
from sites.registry import ADMIN_ROLES

pytestmark = pytest.mark.django_db

UA = "Mozilla/5.0 drill-browser"


def _admin_of(role, django_user_model, username=None):
    user = django_user_model.objects.create_user(
        username or f"x-{role}-admin", password="Pw-admin-2026-x"
    )
    user.groups.add(Group.objects.get(name=ADMIN_ROLES[role]))
    return user


def _verify_fails(match):
    with pytest.raises(CommandError) as excinfo:
        call_command("audit_verify", stdout=io.StringIO(), stderr=(err := io.StringIO()))
    assert "审计链被破坏" in str(excinfo.value)
    assert match in err.getvalue()


# --- events ---------------------------------------------------------------------------------


def test_admin_login_and_failure_are_recorded_with_ip_and_user_agent(client, staff):
    user = staff("nanning", "editor")
    client.post(
        "/admin/login/", {"username": user.username, "password": "wrong"}, HTTP_USER_AGENT=UA
    )
    failure = AuditRecord.objects.get(action="login_failed")
    assert (failure.username, failure.outcome, failure.ip) == (
        user.username,
        "failure",
        "127.0.0.1",
    )
    assert failure.user_agent == UA and failure.target == "/admin/login/"
    client.post(
        "/admin/login/",
        {"username": user.username, "password": f"Pw-{user.username}-2026"},
        HTTP_USER_AGENT=UA,
    )
    success = AuditRecord.objects.get(action="login")
    assert (success.user_id, success.outcome, success.user_agent) == (user.pk, "success", UA)


def test_forged_forwarded_for_does_not_change_the_recorded_address(client, staff):
    user = staff("nanning", "editor")
    client.post(
        "/admin/login/",
        {"username": user.username, "password": "wrong"},
        HTTP_X_FORWARDED_FOR="8.8.8.8",
    )
    assert AuditRecord.objects.get(action="login_failed").ip == "127.0.0.1"


def test_group_membership_and_account_changes_are_recorded(staff, django_user_model):
    user = staff("nanning", "editor")
    assert AuditRecord.objects.filter(action="groups_added", target=user.username).exists()
    user.is_active = False
    user.save()
    assert AuditRecord.objects.filter(action="user_disabled", target=user.username).exists()
    user.is_superuser = True
    user.save()
    escalation = AuditRecord.objects.get(action="user_changed", target=user.username)
    assert escalation.category == Category.PERMISSION
    assert escalation.details["changed"]["is_superuser"] == {"from": False, "to": True}


def test_a_users_last_login_alone_is_not_an_account_change(staff):
    user = staff("nanning", "editor")
    before = AuditRecord.objects.count()
    user.last_login = timezone.now()
    user.save()
    assert AuditRecord.objects.count() == before


def test_publication_and_unpublication_are_recorded(client, staff, column):
    editor = staff("nanning", "admin")
    article = ArticlePageFactory(parent=column, title="审计测试稿件", live=False)
    article.save_revision(user=editor).publish(user=editor)
    published = AuditRecord.objects.get(action="page_published", target__contains="审计测试稿件")
    assert (published.username, published.portal) == (editor.username, "nanning")
    assert "审计测试稿件" in published.target
    client.force_login(editor)
    response = client.post(f"/admin/pages/{article.pk}/unpublish/", HTTP_USER_AGENT=UA)
    assert response.status_code == 302
    unpublished = AuditRecord.objects.get(action="page_unpublished", target=published.target)
    assert (unpublished.username, unpublished.user_agent) == (editor.username, UA)


def test_configuration_change_is_recorded(portals):
    from sites.models import PortalSettings

    settings_row = PortalSettings.for_site(portals["nanning"].site)
    settings_row.phone = "0771-0000000"
    settings_row.save()
    assert AuditRecord.objects.filter(
        category=Category.CONFIGURATION, action="portal_sites.portalsettings_changed"
    ).exists()


# --- the chain ------------------------------------------------------------------------------


def _three():
    return [services.record(Category.AUDIT, f"event-{n}", username="tester") for n in range(3)]


def test_intact_chain_verifies():
    _three()
    out = io.StringIO()
    call_command("audit_verify", stdout=out)
    assert "审计链完整" in out.getvalue()


def test_records_cannot_be_changed_or_deleted_through_the_application():
    first, *_ = _three()
    first.outcome = "failure"
    with pytest.raises(AppendOnlyError):
        first.save()
    with pytest.raises(AppendOnlyError):
        first.delete()


def test_verify_detects_a_changed_record():
    _, middle, _ = _three()
    AuditRecord.objects.filter(pk=middle.pk).update(username="someone-else")
    _verify_fails(f"记录 #{middle.seq} 的校验值不符")


def test_verify_detects_a_removed_record():
    _, middle, _ = _three()
    AuditRecord.objects.filter(pk=middle.pk)._raw_delete(connection.alias)
    _verify_fails(f"缺少记录 #{middle.seq}")


def test_verify_detects_the_newest_record_removed():
    *_, last = _three()
    AuditRecord.objects.filter(pk=last.pk)._raw_delete(connection.alias)
    _verify_fails("最新记录被删除")


def test_verify_detects_an_inserted_record():
    first, middle, _ = _three()
    # A forger renumbers to make room and writes a plausible record with a made-up MAC.
    forged = AuditRecord(
        seq=middle.seq,
        created_at=middle.created_at,
        username="ghost",
        category=Category.LOGIN,
        action="login",
        prev_mac=first.mac,
        mac="f" * 64,
    )
    AuditRecord.objects.filter(seq__gte=middle.seq).update(seq=models_shift())
    AuditRecord.objects.bulk_create([forged])
    _verify_fails("校验值不符")


def models_shift():
    from django.db.models import F

    return F("seq") + 1000


# --- retention ------------------------------------------------------------------------------


def test_purge_refuses_records_younger_than_six_months():
    _three()
    recent = (timezone.now() - timedelta(days=30)).strftime("%Y-%m-%d")
    with pytest.raises(CommandError, match="至少保存"):
        call_command("audit_purge", before=recent)
    assert AuditRecord.objects.count() >= 3


def test_purge_of_old_records_keeps_the_chain_verifiable():
    old = _three()
    AuditRecord.objects.filter(pk__in=[r.pk for r in old]).update(
        created_at=timezone.now() - timedelta(days=400)
    )
    # Moving the dates broke their MACs; re-chain them as if they had been written back then.
    head = AuditChain.objects.get(pk=1)
    prev = head.anchor_mac or services.GENESIS_MAC
    for entry in AuditRecord.objects.order_by("seq"):
        mac = services.compute_mac(entry, prev)
        AuditRecord.objects.filter(pk=entry.pk).update(prev_mac=prev, mac=mac)
        prev = mac
    AuditChain.objects.filter(pk=1).update(last_mac=prev)
    kept = services.record(Category.AUDIT, "after", username="tester")
    before = (timezone.now() - timedelta(days=200)).strftime("%Y-%m-%d")
    call_command("audit_purge", before=before, stdout=io.StringIO())
    assert not AuditRecord.objects.filter(pk__in=[r.pk for r in old]).exists()
    assert AuditRecord.objects.filter(pk=kept.pk).exists()
    assert AuditRecord.objects.filter(action="audit_purge").exists()
    assert services.verify().ok


# --- the audit administrator's screen -------------------------------------------------------


def test_audit_admin_searches_filters_and_exports_and_the_export_is_audited(
    client, django_user_model, staff
):
    from openpyxl import load_workbook

    auditor = _admin_of("audit", django_user_model)
    services.record(Category.LOGIN, "login_failed", username="mallory", outcome="failure")
    services.record(Category.LOGIN, "login", username="alice")
    client.force_login(auditor)
    page = client.get("/admin/audit/", {"q": "mallory", "outcome": "failure"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "mallory" in html and "alice" not in html
    assert "alice" in client.get("/admin/audit/", {"category": "login"}).content.decode()
    export = client.get("/admin/audit/export/", {"q": "mallory"})
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd")
    rows = list(load_workbook(io.BytesIO(export.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and any(row[2] == "mallory" for row in rows[1:])
    assert not any(row[2] == "alice" for row in rows[1:])
    exported = AuditRecord.objects.get(action="audit_export")
    assert exported.username == auditor.username and exported.details["filters"] == {"q": "mallory"}


def test_bad_dates_in_the_filter_are_ignored_not_500(client, django_user_model):
    client.force_login(_admin_of("audit", django_user_model))
    assert client.get("/admin/audit/", {"date_from": "2026-13-45"}).status_code == 200


@pytest.mark.parametrize("who", ["editor", "admin", "handler", "system", "security", "root"])
def test_nobody_but_the_audit_admin_sees_the_audit_log(client, staff, django_user_model, who):
    secret = services.record(Category.LOGIN, "login_failed", username="secret-person-42")
    if who == "root":  # the installation's superuser: not an auditor either (三员分立)
        user = django_user_model.objects.create_superuser("root-x", password="Pw-root-x-2026")
    elif who in ("system", "security"):
        user = _admin_of(who, django_user_model)
    else:
        user = staff("nanning", who)
    client.force_login(user)
    for url in ("/admin/audit/", "/admin/audit/export/"):
        response = client.get(url)
        assert response.status_code == 403
        assert secret.username not in response.content.decode()
    assert "/admin/audit/" not in client.get("/admin/").content.decode()
    assert AuditRecord.objects.filter(action="audit_view_denied", username=user.username).exists()
