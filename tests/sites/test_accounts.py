"""Bulk staff accounts: import_accounts, one-time passwords, reset, disable and enable."""

import csv
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.urls import reverse
from openpyxl import Workbook

from sites.models import AccountProfile
from tests.conftest import mark_second_factor_passed

pytestmark = pytest.mark.django_db
HEADER = "username,姓名,phone,portal,role"
User = get_user_model()


def write_csv(tmp_path, lines, name="accounts.csv", encoding="utf-8"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def run(path, tmp_path):
    out, err = StringIO(), StringIO()
    passwords = tmp_path / "passwords.csv"
    passwords.unlink(missing_ok=True)
    try:
        call_command(
            "import_accounts", str(path), "--passwords-out", str(passwords), stdout=out, stderr=err
        )
        failed = None
    except CommandError as exc:
        failed = str(exc)
    issued = {}
    if passwords.exists():
        with passwords.open(encoding="utf-8-sig") as handle:
            issued = {row["username"]: row["一次性密码"] for row in csv.DictReader(handle)}
    return out.getvalue(), err.getvalue(), failed, issued


def groups_of(username):
    return set(User.objects.get(username=username).groups.values_list("name", flat=True))


def test_csv_import_creates_users_with_roles_and_one_time_passwords(tmp_path):
    path = write_csv(
        tmp_path, [HEADER, "nn_zhang,张三,13800138000,nanning,editor", "lz_li,李四,,liuzhou,终审"]
    )
    out, err, failed, issued = run(path, tmp_path)
    assert failed is None and err == ""
    assert groups_of("nn_zhang") == {"南宁市信访局-编辑"}
    assert groups_of("lz_li") == {"柳州市信访局-终审"}
    zhang = User.objects.get(username="nn_zhang")
    assert zhang.first_name == "张三" and zhang.account_profile.phone == "13800138000"
    assert zhang.check_password(issued["nn_zhang"])
    assert zhang.account_profile.must_change_password
    assert (tmp_path / "passwords.csv").stat().st_mode & 0o077 == 0


def test_import_is_idempotent_and_updates_changed_rows(tmp_path):
    path = write_csv(tmp_path, [HEADER, "nn_wang,王五,13800138001,nanning,reviewer"])
    run(path, tmp_path)
    password_hash = User.objects.get(username="nn_wang").password
    out, _, _, issued = run(path, tmp_path)
    assert "新建 0 个，更新 0 个，无变化 1 个" in out and issued == {}
    assert User.objects.get(username="nn_wang").password == password_hash
    path = write_csv(tmp_path, [HEADER, "nn_wang,王五,13800138001,nanning,approver"])
    out, _, _, _ = run(path, tmp_path)
    assert "更新 1 个" in out
    assert groups_of("nn_wang") == {"南宁市信访局-终审"}


def test_bad_rows_are_reported_by_line_and_the_rest_import(tmp_path):
    path = write_csv(
        tmp_path,
        [
            HEADER,
            "ok_user,赵六,,gx,admin",
            "bad user!,钱七,,gx,editor",
            "no_portal,孙八,,shanghai,editor",
            "bad_role,周九,,gx,boss",
            "bad_phone,吴十,12345,gx,editor",
            "no_name,,,gx,editor",
            "ok_user2,郑十一,,guilin,审核",
        ],
    )
    out, err, failed, issued = run(path, tmp_path)
    assert "第 3 行：用户名只能包含" in err
    assert "第 4 行：未知的站点代码“shanghai”" in err
    assert "第 5 行：未知的角色“boss”" in err
    assert "第 6 行：手机号“12345”格式不正确" in err
    assert "第 7 行：姓名不能为空" in err
    assert set(issued) == {"ok_user", "ok_user2"}
    assert failed and "5 行未导入" in failed


def test_xlsx_files_import_like_csv(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER.split(","))
    sheet.append(["bh_chen", "陈一", 13900139000, "beihai", "编辑"])
    path = tmp_path / "accounts.xlsx"
    workbook.save(path)
    _, err, failed, issued = run(path, tmp_path)
    assert failed is None, err
    assert groups_of("bh_chen") == {"北海市信访局-编辑"}
    assert User.objects.get(username="bh_chen").account_profile.phone == "13900139000"


def test_gbk_csv_from_excel_is_read(tmp_path):
    path = write_csv(tmp_path, [HEADER, "gk_user,黄二,,hechi,editor"], encoding="gb18030")
    _, _, failed, issued = run(path, tmp_path)
    assert failed is None and "gk_user" in issued


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "文件为空"),
        (b"name,role\nx,editor\n", "表头缺少列"),
        (b"\xff\xfe\x00\x00garbage\x81\x82", "无法识别文件编码"),
    ],
)
def test_malformed_files_get_a_clear_error(tmp_path, content, message):
    path = tmp_path / "bad.csv"
    path.write_bytes(content)
    _, _, failed, _ = run(path, tmp_path)
    assert failed and message in failed


def test_wrong_file_types_and_missing_files_get_a_clear_error(tmp_path):
    fake = tmp_path / "accounts.xlsx"
    fake.write_text("not a workbook")
    assert "无法读取 XLSX 文件" in run(fake, tmp_path)[2]
    pdf = tmp_path / "accounts.pdf"
    pdf.write_text("x")
    assert "不支持的文件类型" in run(pdf, tmp_path)[2]
    assert "找不到文件" in run(tmp_path / "missing.csv", tmp_path)[2]


def test_a_one_time_password_must_be_changed_before_using_the_admin(client, tmp_path):
    issued = run(write_csv(tmp_path, [HEADER, "first_login,新人,,nanning,editor"]), tmp_path)[3]
    user = User.objects.get(username="first_login")
    assert client.login(username="first_login", password=issued["first_login"])
    mark_second_factor_passed(client, user)
    response = client.get("/admin/")
    assert response.status_code == 302 and response["Location"] == reverse("portal_first_password")
    weak = client.post(
        reverse("portal_first_password"),
        {"old_password": issued["first_login"], "new_password1": "abc", "new_password2": "abc"},
    )
    assert weak.status_code == 200 and "密码" in weak.content.decode()
    same = client.post(
        reverse("portal_first_password"),
        {
            "old_password": issued["first_login"],
            "new_password1": issued["first_login"],
            "new_password2": issued["first_login"],
        },
    )
    assert "不能与一次性密码相同" in same.content.decode()
    done = client.post(
        reverse("portal_first_password"),
        {
            "old_password": issued["first_login"],
            "new_password1": "Nanning#Xinfang2026",
            "new_password2": "Nanning#Xinfang2026",
        },
    )
    assert done.status_code == 302
    assert not AccountProfile.objects.get(user=user).must_change_password
    assert client.get("/admin/").status_code == 200


def test_administrator_resets_disables_and_reenables_an_account(client, staff):
    target = staff("nanning", "editor")
    admin = User.objects.create_superuser("root_admin", password="Root#Admin2026x")
    client.force_login(admin)
    response = client.post(reverse("portal_reset_password", args=[target.pk]))
    password = (
        response.content.decode().split('<code class="portal-new-password">')[1].split("</code>")[0]
    )
    target.refresh_from_db()
    assert target.check_password(password) and target.account_profile.must_change_password
    client.post(reverse("portal_set_active", args=[target.pk]), {"active": "0"})
    target.refresh_from_db()
    assert not target.is_active
    client.post(reverse("portal_set_active", args=[target.pk]), {"active": "1"})
    target.refresh_from_db()
    assert target.is_active


def test_city_staff_cannot_reset_other_accounts(client, staff):
    target = staff("liuzhou", "editor")
    client.force_login(staff("nanning", "admin"))
    response = client.post(reverse("portal_reset_password", args=[target.pk]))
    assert response.status_code in (302, 403) and "<code" not in response.content.decode()
    target.refresh_from_db()
    assert target.check_password("Pw-" + target.username + "-2026")


def test_user_listing_offers_a_reset_button(client, staff):
    target = staff("nanning", "editor")
    client.force_login(User.objects.create_superuser("lister", password="Root#Admin2026x"))
    html = client.get(reverse("wagtailusers_users:index")).content.decode()
    assert reverse("portal_reset_password", args=[target.pk]) in html


def test_one_time_passwords_are_stored_with_sm3_and_replaced_at_first_change(client, tmp_path):
    issued = run(write_csv(tmp_path, [HEADER, "sm3_user,沈一,,nanning,editor"]), tmp_path)[3]
    user = User.objects.get(username="sm3_user")
    assert user.password.startswith("pbkdf2_sm3_onetime$")
    assert issued["sm3_user"] not in user.password
    client.login(username="sm3_user", password=issued["sm3_user"])
    mark_second_factor_passed(client, user)
    client.post(
        reverse("portal_first_password"),
        {
            "old_password": issued["sm3_user"],
            "new_password1": "Nanning#Xinfang2026",
            "new_password2": "Nanning#Xinfang2026",
        },
    )
    user.refresh_from_db()
    assert not user.password.startswith("pbkdf2_sm3_onetime$")
    assert user.check_password("Nanning#Xinfang2026")


def test_staff_passwords_hash_with_pbkdf2_sm3():
    import hashlib

    from sites.hashers import PBKDF2SM3PasswordHasher

    hasher = PBKDF2SM3PasswordHasher()
    encoded = hasher.encode("Nanning#Xinfang2026", "fixedsalt123", iterations=1000)
    algorithm, iterations, salt, digest = encoded.split("$")
    assert (algorithm, iterations, salt) == ("pbkdf2_sm3", "1000", "fixedsalt123")
    expected = hashlib.pbkdf2_hmac("sm3", b"Nanning#Xinfang2026", b"fixedsalt123", 1000)
    import base64

    assert base64.b64decode(digest) == expected
    assert hasher.verify("Nanning#Xinfang2026", encoded)
    assert not hasher.verify("wrong", encoded)
