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


# --- who manages whose account (三员分立 and portal administrators) ------------------------------
#
# Four kinds of people look after accounts, each with a part of the work:
# - the superuser (installation only): everything;
# - the system administrator (``auth.change_user``): the accounts' own data (username, name,
#   e-mail, phone, active), passwords and second factors, of every account but the superusers'
#   and the other separated administrators', and never their roles;
# - the security administrator (``auth.change_group``): the roles (groups) of every account but
#   the superusers' and their own, and nothing else of an account;
# - a portal's administrator (its 管理员 group): both, for the accounts of their own portals only,
#   with their portals' roles except 管理员 itself.
# The audit administrator has no part in it. The admin's user screens ask these functions.

SYSTEM_PERMISSION = "auth.change_user"
ROLES_PERMISSION = "auth.change_group"


class RoleRuleError(ValueError):
    """A set of roles that breaks the separation of duties (message in Chinese)."""


def is_system_admin(actor) -> bool:
    return actor.is_active and not actor.is_superuser and actor.has_perm(SYSTEM_PERMISSION)


def is_security_admin(actor) -> bool:
    return actor.is_active and not actor.is_superuser and actor.has_perm(ROLES_PERMISSION)


def _admin_role_names() -> list[str]:
    from sites.registry import ADMIN_ROLES

    return list(ADMIN_ROLES.values())


def _portal_group_names(portals) -> list[str]:
    return [group_name(p.name, role) for p in portals for role in ROLES]


def portal_scope(actor):
    """The accounts of ``actor``'s portals that belong to no other portal and to none of the
    installation's administrators: a portal administrator's accounts (a queryset). Another
    管理员 of the same portal is not among them: the security administrator gives that role, and
    a peer who could reset its password and second factor could sign in as it."""
    user_model = get_user_model()
    own = admin_portals(actor)
    if not own:
        return user_model.objects.none()
    own_ids = {p.pk for p in own}
    others = [p for p in Portal.objects.only("id", "name") if p.pk not in own_ids]
    peers = (
        user_model.objects.filter(groups__name__in=[group_name(p.name, "admin") for p in own])
        .exclude(pk=actor.pk)
        .values("pk")
    )
    return (
        user_model.objects.filter(groups__name__in=_portal_group_names(own), is_superuser=False)
        .exclude(groups__name__in=_portal_group_names(others) + _admin_role_names())
        .exclude(pk__in=peers)
        .distinct()
    )


def account_data_scope(actor):
    """Accounts whose own data (name, e-mail, phone, active, password, second factor) ``actor``
    may change."""
    user_model = get_user_model()
    if actor.is_superuser:
        return user_model.objects.all()
    if is_system_admin(actor):
        # Not the other two separated administrators': resetting the audit administrator's
        # password and second factor would let the system administrator sign in as them.
        # The installation's superuser looks after those accounts.
        others = user_model.objects.filter(is_superuser=False).exclude(
            groups__name__in=_admin_role_names()
        )
        return others | user_model.objects.filter(pk=actor.pk)
    return portal_scope(actor)


def role_scope(actor):
    """Accounts whose roles ``actor`` may change (never their own)."""
    user_model = get_user_model()
    if actor.is_superuser:
        return user_model.objects.all()
    if is_security_admin(actor):
        return user_model.objects.filter(is_superuser=False).exclude(pk=actor.pk)
    return portal_scope(actor).exclude(pk=actor.pk)


def visible_accounts(actor):
    """The accounts ``actor`` sees in the admin's user list."""
    user_model = get_user_model()
    if actor.is_superuser or is_system_admin(actor) or is_security_admin(actor):
        return account_data_scope(actor) | role_scope(actor)
    scope = portal_scope(actor)
    return user_model.objects.filter(pk__in=scope.values("pk"))


def assignable_groups(actor):
    """The groups (roles) ``actor`` may give or take away."""
    if actor.is_superuser or is_security_admin(actor):
        return Group.objects.all()
    names = [group_name(p.name, role) for p in admin_portals(actor) for role in ROLES]
    return Group.objects.filter(name__in=[n for n in names if not n.endswith("-管理员")])


def visible_groups(actor):
    """Groups ``actor`` may filter the user list by."""
    if actor.is_superuser or is_system_admin(actor) or is_security_admin(actor):
        return Group.objects.all()
    return Group.objects.filter(name__in=_portal_group_names(admin_portals(actor)))


def check_roles(groups) -> None:
    """Refuse a set of roles that mixes duties: one of the three separated administrators holds
    nothing else, and an account has at most one role on a portal (content and handling roles,
    or two steps of 三审, are never one person's on the same portal)."""
    names = {g.name for g in groups}
    admin_names = names & set(_admin_role_names())
    if admin_names and len(names) > 1:
        raise RoleRuleError(
            f"三员分立：{'、'.join(sorted(admin_names))}不能与其他角色兼任，请只保留一个。"
        )
    for portal in Portal.objects.only("name"):
        held = sorted(n for n in names if n in set(_portal_group_names([portal])))
        if len(held) > 1:
            raise RoleRuleError(
                f"同一门户只能担任一个角色：{'、'.join(held)}不能同时选择（内容角色与办件角色分离）。"
            )


def create_account(
    *, username: str, name: str, email: str = "", phone: str = "", groups=()
) -> tuple:
    """A new staff account with a one-time password that must be changed at first login:
    (user, password). The password is shown once to the administrator who created it."""
    check_roles(groups)
    password = one_time_password()
    with transaction.atomic():
        user = get_user_model().objects.create(
            username=username,
            first_name=name,
            email=email,
            password=hash_one_time(password),
        )
        AccountProfile.objects.create(
            user=user, phone=phone, must_change_password=True, password_issued_at=timezone.now()
        )
        if groups:
            user.groups.add(*groups)
    return user, password


def set_phone(user, phone: str) -> None:
    profile, _ = AccountProfile.objects.get_or_create(user=user)
    if profile.phone != phone:
        profile.phone = phone
        profile.save(update_fields=["phone"])


def assign_role(user, group) -> None:
    """Give ``user`` the role ``group``; on a portal it replaces the user's other role there."""
    for portal in Portal.objects.only("name"):
        names = _portal_group_names([portal])
        if group.name in names:
            user.groups.remove(*user.groups.filter(name__in=names).exclude(pk=group.pk))
    check_roles(list(user.groups.all()) + [group])
    user.groups.add(group)


def admin_portals(user) -> list[Portal]:
    """The portals where ``user`` is a portal administrator (管理员 role)."""
    groups = _portal_groups()
    return [
        groups[name][0]
        for name in user.groups.values_list("name", flat=True)
        if name in groups and groups[name][1] == "admin"
    ]


def _portal_groups():
    """{group name: (portal, role)} of every portal group."""
    return {
        group_name(portal.name, role): (portal, role)
        for portal in Portal.objects.only("id", "name", "code")
        for role in ROLES
    }


def portals_of(user) -> set[int]:
    groups = _portal_groups()
    return {groups[n][0].pk for n in user.groups.values_list("name", flat=True) if n in groups}


def can_manage(actor, target) -> bool:
    """Whether ``actor`` may reset, disable or re-enable ``target`` (and reset its second factor):
    never their own account; superusers only by superusers; the system administrator any other
    account; a portal's administrator only accounts of their own portals (``portal_scope``)."""
    if target.pk == actor.pk:
        return False
    return account_data_scope(actor).filter(pk=target.pk).exists()


def portal_accounts(actor):
    """The accounts a portal administrator manages: members of their portals' groups."""
    return list(portal_scope(actor).order_by("username").prefetch_related("groups"))
