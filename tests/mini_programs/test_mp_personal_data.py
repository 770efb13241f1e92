"""Diners' phone numbers are personal data, kept like citizens': SM4-GCM ciphertext with an
HMAC-SM3 blind index, masked on the canteen's screens and exports unless asked for with a reason
(audited), re-keyed by ``rotate_keys``, and encrypted in place by the migration."""

import importlib
import io
import secrets

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from audit.models import AuditRecord
from backend_bridge import crypto
from mini_programs.models import PHONE_INDEX_PURPOSE, Diner
from mini_programs.services import ordering
from mini_programs.services.seeding import CANTEEN_GROUP

pytestmark = pytest.mark.django_db


@pytest.fixture
def canteen(client):
    user = get_user_model().objects.create_user(username="canteen", password="Pw-canteen-2026")
    user.groups.add(Group.objects.get(name=CANTEEN_GROUP))
    client.force_login(user)
    return client


def _raw(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone, phone_index FROM mini_programs_diner WHERE id = %s", [pk])
        return cursor.fetchone()


def snippet(action: str, *args) -> str:
    return reverse(f"wagtailsnippets_mini_programs_diner:{action}", args=args)


def diner_form(**fields) -> dict:
    data = {"name": "黄丽", "phone": "", "employee_no": "GX9", "active": "on"}
    data.update(fields)
    return data


def test_the_number_is_stored_encrypted_and_found_by_its_blind_index(make_diner):
    diner = make_diner("黄丽")
    token, index = _raw(diner.pk)
    assert token.startswith(crypto.TOKEN_PREFIX) and diner.phone not in token
    assert index == crypto.blind_index(diner.phone, PHONE_INDEX_PURPOSE)
    assert Diner.objects.with_phone(diner.phone).get() == diner
    assert Diner.objects.get(pk=diner.pk).phone == diner.phone


def test_the_canteen_list_shows_numbers_masked(canteen, make_diner):
    diner = make_diner("黄丽")
    page = canteen.get(snippet("list")).content.decode()
    assert "黄丽" in page
    assert diner.phone not in page and crypto.mask_phone(diner.phone) in page


def test_the_edit_form_never_shows_the_number_and_keeps_it_when_left_empty(canteen, make_diner):
    diner = make_diner("黄丽")
    page = canteen.get(snippet("edit", diner.pk)).content.decode()
    assert diner.phone not in page and crypto.mask_phone(diner.phone) in page
    response = canteen.post(snippet("edit", diner.pk), diner_form(employee_no="GX10"))
    assert response.status_code == 302, response.content.decode()[:3000]
    diner.refresh_from_db()
    assert diner.employee_no == "GX10" and Diner.objects.with_phone(diner.phone).get() == diner


def test_the_canteen_changes_a_number_and_a_taken_number_is_a_form_error(canteen, make_diner):
    diner, other = make_diner("黄丽"), make_diner("韦强")
    response = canteen.post(snippet("edit", diner.pk), diner_form(phone="139 0013 9001"))
    assert response.status_code == 302
    assert Diner.objects.with_phone("13900139001").get() == diner
    response = canteen.post(snippet("edit", diner.pk), diner_form(phone=other.phone, name="黄丽丽"))
    assert response.status_code == 200
    assert "该手机号已登记为其他用餐人员。" in response.content.decode()
    assert 'value="黄丽丽"' in response.content.decode()
    response = canteen.post(snippet("add"), diner_form(phone="12345"))
    assert response.status_code == 200 and "手机号码" in response.content.decode()
    assert Diner.objects.count() == 2


def test_month_bills_are_masked_unless_asked_for_with_a_reason_which_is_audited(
    canteen, make_meal, make_diner
):
    diner = make_diner("黄丽")
    meal = make_meal()
    ordering.place_order(diner, meal.pk)
    export = reverse("mini_programs_admin:export_month")
    month = f"{meal.date:%Y-%m}"

    def phones(response):
        book = load_workbook(io.BytesIO(response.content))
        return [row[3] for row in list(book["月度账单"].iter_rows(values_only=True))[1:-1]]

    assert phones(canteen.get(export, {"month": month})) == [crypto.mask_phone(diner.phone)]
    # A link cannot ask for full numbers: only the dashboard's POST form can.
    assert phones(canteen.get(export, {"month": month, "unmasked": "on", "reason": "x"})) == [
        crypto.mask_phone(diner.phone)
    ]
    refused = canteen.post(export, {"month": month, "unmasked": "on", "reason": ""})
    assert refused.status_code == 302
    before = AuditRecord.objects.filter(action="diner_phone_revealed").count()
    full = canteen.post(export, {"month": month, "unmasked": "on", "reason": "财务核对"})
    assert phones(full) == [diner.phone]
    revealed = AuditRecord.objects.filter(action="diner_phone_revealed")
    assert revealed.count() == before + 1
    assert revealed.first().username == "canteen"
    assert revealed.first().details["reason"] == "财务核对"
    assert AuditRecord.objects.filter(action="mp_month_bills_exported").count() == 3


def test_the_import_matches_the_encrypted_number(canteen, make_diner, department):
    diner = make_diner("黄丽")
    csv = io.BytesIO(f"姓名,手机号,部门,工号\n黄丽,{diner.phone},督查室,Z1\n".encode())
    csv.name = "名单.csv"
    response = canteen.post(reverse("mini_programs_admin:import"), {"file": csv})
    assert "更新 1 人" in response.content.decode()
    diner.refresh_from_db()
    assert diner.employee_no == "Z1" and Diner.objects.count() == 1


def test_rotate_keys_re_keys_the_diners_numbers(settings, make_diner):
    diner = make_diner("黄丽")
    old_sm4, old_index = settings.PII_SM4_KEY, settings.PII_INDEX_KEY
    settings.PII_SM4_OLD_KEYS, settings.PII_INDEX_OLD_KEYS = [f"1:{old_sm4}"], [f"1:{old_index}"]
    settings.PII_SM4_KEY, settings.PII_SM4_KEY_VERSION = secrets.token_hex(16), 2
    settings.PII_INDEX_KEY, settings.PII_INDEX_KEY_VERSION = secrets.token_hex(16), 2
    # During the rotation the old index still finds the diner (binding keeps working).
    assert Diner.objects.with_phone(diner.phone).get() == diner
    out = io.StringIO()
    call_command("rotate_keys", stdout=out)
    assert "用餐人员：检查 1 条，已重新加密 1 条，已重建索引 1 条。" in out.getvalue()
    token, index = _raw(diner.pk)
    assert crypto.token_key_version(token) == 2
    assert index == crypto.blind_index(diner.phone, PHONE_INDEX_PURPOSE)  # under key 2
    settings.PII_SM4_OLD_KEYS, settings.PII_INDEX_OLD_KEYS = [], []
    assert Diner.objects.with_phone(diner.phone).get().phone == diner.phone


def test_the_migration_encrypts_existing_plain_numbers(department):
    from django.db.migrations.loader import MigrationLoader

    with connection.cursor() as cursor:
        for n, phone in enumerate(("13800138001", "13800138002")):
            cursor.execute(
                "INSERT INTO mini_programs_diner (name, phone, phone_index, employee_no, active,"
                " guests_allowed, created_at) VALUES (%s, %s, %s, '', %s, %s, %s)",
                [f"旧{n}", phone, f"pending-{n}", True, False, "2026-01-01 00:00:00+00:00"],
            )
    loader = MigrationLoader(connection)
    state = loader.project_state(("mini_programs", "0001_initial"))
    migration = loader.get_migration("mini_programs", "0002_diner_phone_encrypted")
    for operation in migration.operations[:2]:  # the state the data step runs in
        operation.state_forwards("mini_programs", state)
    module = importlib.import_module("mini_programs.migrations.0002_diner_phone_encrypted")
    module.encrypt_numbers(state.apps, None)
    module.encrypt_numbers(state.apps, None)  # a second run leaves ciphertext alone
    for phone in ("13800138001", "13800138002"):
        found = Diner.objects.with_phone(phone).get()
        assert found.phone == phone
        assert _raw(found.pk)[0].startswith(crypto.TOKEN_PREFIX)
