"""The canteen's management commands: importing the staff list, issuing invitation codes."""

import io

import pytest
from django.core.management import CommandError, call_command

from mini_programs.models import Diner, Invitation

pytestmark = pytest.mark.django_db


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_importing_the_staff_list_from_a_csv_file(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("姓名,手机号,部门,工号\n黄丽,13800000009,办公室,B9\n无号,,办公室,\n", "utf-8")
    assert "新增 1 人，更新 0 人，1 行未导入" in run("mp_import_diners", str(path))
    assert Diner.objects.with_phone("13800000009").get().employee_no == "B9"


def test_a_missing_or_unsupported_file_is_a_command_error(tmp_path):
    with pytest.raises(CommandError, match="找不到文件"):
        run("mp_import_diners", str(tmp_path / "none.csv"))
    other = tmp_path / "名单.txt"
    other.write_text("x", "utf-8")
    with pytest.raises(CommandError, match="只支持"):
        run("mp_import_diners", str(other))


def test_invitations_for_the_given_phones(make_diner):
    diner = make_diner("陆洋")
    make_diner("其他人")
    text = run("mp_issue_invitations", diner.phone)
    code = Invitation.objects.get(diner=diner).code
    assert f"陆洋\t办公室\t{code}" in text
    assert Invitation.objects.count() == 1
