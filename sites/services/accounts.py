"""Staff accounts of the 15 bureaus: bulk import, disable/enable, password reset.

An import file (CSV or XLSX) has the header ``username,姓名,phone,portal,role``. Each row
creates or updates one user and gives them that role on that portal (replacing any other role
they had on the same portal). A bad row is reported with its line number and reason and the
others go on. New users get a one-time password that must be changed at first login.
"""

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from sites.hashers import OneTimeSM3PasswordHasher
from sites.models import AccountProfile, Portal
from sites.passwords import one_time_password
from sites.registry import ROLE_ALIASES, ROLES, group_name

HEADER = ("username", "姓名", "phone", "portal", "role")
USERNAME_RE = re.compile(r"^[A-Za-z0-9_.@+-]{2,150}$")
PHONE_RE = re.compile(r"^1[3-9]\d{9}$")


class ImportFileError(Exception):
    """The file as a whole cannot be read (wrong type, missing header)."""


@dataclass
class RowError:
    line: int
    message: str


@dataclass
class ImportReport:
    created: list[tuple[str, str]] = field(default_factory=list)  # (username, one-time password)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def read_rows(path: Path) -> list[tuple[int, dict]]:
    """(line number, row) pairs of a CSV or XLSX account file; line 1 is the header."""
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        rows = _xlsx_rows(path)
    elif suffix in (".csv", ".txt"):
        rows = _csv_rows(path)
    else:
        raise ImportFileError(f"不支持的文件类型“{suffix or '无扩展名'}”，请使用 CSV 或 XLSX 文件")
    if not rows:
        raise ImportFileError("文件为空")
    header = [str(h or "").strip().lstrip("\ufeff") for h in rows[0]]
    missing = [h for h in HEADER if h not in header]
    if missing:
        raise ImportFileError(f"表头缺少列：{'、'.join(missing)}（应为 {','.join(HEADER)}）")
    index = {name: header.index(name) for name in HEADER}
    result = []
    for line, row in enumerate(rows[1:], start=2):
        cells = [str(c).strip() if c is not None else "" for c in row]
        if not any(cells):
            continue
        result.append(
            (line, {name: cells[i] if i < len(cells) else "" for name, i in index.items()})
        )
    return result


def _csv_rows(path: Path) -> list[list]:
    raw = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ImportFileError("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(path: Path) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:
        raise ImportFileError(f"无法读取 XLSX 文件：{exc.__class__.__name__}") from exc
    try:
        return [list(row) for row in workbook.active.iter_rows(values_only=True)]
    finally:
        workbook.close()


def _validate(row: dict, portals: dict) -> str | None:
    """Every problem of the row at once (joined by "；"), or None: the administrator fixes a row
    in one pass instead of discovering its errors one import at a time."""
    problems = []
    if not USERNAME_RE.match(row["username"]):
        problems.append("用户名只能包含字母、数字和 _ . @ + -，长度 2–150")
    if not row["姓名"]:
        problems.append("姓名不能为空")
    elif len(row["姓名"]) > 30:
        problems.append("姓名过长（最多 30 字）")
    if row["phone"] and not PHONE_RE.match(row["phone"]):
        problems.append(f"手机号“{row['phone']}”格式不正确")
    if row["portal"] not in portals:
        problems.append(f"未知的站点代码“{row['portal']}”")
    if row["role"] not in ROLE_ALIASES:
        problems.append(
            f"未知的角色“{row['role']}”，应为 editor/reviewer/approver/admin 或 编辑/审核/终审/管理员"
        )
    return "；".join(problems) or None


def import_accounts(path: Path) -> ImportReport:
    report = ImportReport()
    portals = {p.code: p for p in Portal.objects.all()}
    for line, row in read_rows(path):
        problem = _validate(row, portals)
        if problem:
            report.errors.append(RowError(line, problem))
            continue
        try:
            outcome, password = apply_row(row, portals[row["portal"]], ROLE_ALIASES[row["role"]])
        except Exception as exc:  # one bad row must not stop the others
            report.errors.append(RowError(line, f"保存失败：{exc}"))
            continue
        if outcome == "created":
            report.created.append((row["username"], password))
        elif outcome == "updated":
            report.updated.append(row["username"])
        else:
            report.unchanged.append(row["username"])
    return report


@transaction.atomic
def apply_row(row: dict, portal: Portal, role: str) -> tuple[str, str]:
    user_model = get_user_model()
    user = user_model.objects.filter(username=row["username"]).first()
    password = ""
    created = user is None
    changed = False
    if created:
        password = one_time_password()
        user = user_model(
            username=row["username"], first_name=row["姓名"], password=hash_one_time(password)
        )
        user.save()
        AccountProfile.objects.create(
            user=user,
            phone=row["phone"],
            must_change_password=True,
            password_issued_at=timezone.now(),
        )
    else:
        if user.first_name != row["姓名"] or user.last_name:
            user.first_name, user.last_name = row["姓名"], ""
            user.save(update_fields=["first_name", "last_name"])
            changed = True
        profile, _ = AccountProfile.objects.get_or_create(user=user)
        if profile.phone != row["phone"]:
            profile.phone = row["phone"]
            profile.save(update_fields=["phone"])
            changed = True
    wanted = Group.objects.get(name=group_name(portal.name, role))
    others = [group_name(portal.name, r) for r in ROLES if r != role]
    stale = user.groups.filter(name__in=others)
    if stale.exists():
        user.groups.remove(*stale)
        changed = True
    if not user.groups.filter(pk=wanted.pk).exists():
        user.groups.add(wanted)
        changed = True
    return ("created" if created else "updated" if changed else "unchanged"), password


def hash_one_time(password: str) -> str:
    return make_password(password, hasher=OneTimeSM3PasswordHasher.algorithm)


def reset_password(user) -> str:
    """Give the user a new one-time password that must be changed at next login."""
    password = one_time_password()
    user.password = hash_one_time(password)
    user.save(update_fields=["password"])
    profile, _ = AccountProfile.objects.get_or_create(user=user)
    profile.must_change_password = True
    profile.password_issued_at = timezone.now()
    profile.save(update_fields=["must_change_password", "password_issued_at"])
    return password


def set_active(user, active: bool) -> None:
    user.is_active = active
    user.save(update_fields=["is_active"])


def password_changed(user) -> None:
    AccountProfile.objects.filter(user=user).update(must_change_password=False)


# --- who manages whose account ----------------------------------------------------------------


def _portal_groups():
    """{group name: (portal, role)} of every portal group."""
    return {
        group_name(portal.name, role): (portal, role)
        for portal in Portal.objects.only("id", "name", "code")
        for role in ROLES
    }


def admin_portals(user) -> list[Portal]:
    """The portals where ``user`` is a portal administrator (管理员 role)."""
    groups = _portal_groups()
    return [
        groups[name][0]
        for name in user.groups.values_list("name", flat=True)
        if name in groups and groups[name][1] == "admin"
    ]


def portals_of(user) -> set[int]:
    groups = _portal_groups()
    return {groups[n][0].pk for n in user.groups.values_list("name", flat=True) if n in groups}


def can_manage(actor, target) -> bool:
    """Whether ``actor`` may reset, disable or re-enable ``target``: superusers only by
    superusers; the system administrator (auth.change_user) any staff account; a portal's
    administrator only accounts that belong to their own portals and to no other, and never an
    administrator of the installation (三员)."""
    from sites.registry import ADMIN_ROLES

    if target.pk == actor.pk:
        return False
    if target.is_superuser:
        return actor.is_superuser
    if actor.is_superuser or actor.has_perm("auth.change_user"):
        return True
    if target.groups.filter(name__in=ADMIN_ROLES.values()).exists():
        return False
    own = {p.pk for p in admin_portals(actor)}
    theirs = portals_of(target)
    return bool(own) and bool(theirs) and theirs <= own


def portal_accounts(actor):
    """The accounts a portal administrator manages: members of their portals' groups."""
    user_model = get_user_model()
    names = [group_name(p.name, role) for p in admin_portals(actor) for role in ROLES]
    users = user_model.objects.filter(groups__name__in=names).distinct().order_by("username")
    return [u for u in users.prefetch_related("groups") if can_manage(actor, u)]
