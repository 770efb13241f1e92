"""Password policy beyond Django's validators: the username never inside the password, no reuse of
the last passwords (history of hashes), expiry after a configurable time with a warning before.

The validators are listed in settings.AUTH_PASSWORD_VALIDATORS, so every form that sets a
password (first login, the admin's own password change, user creation) applies them. Django calls
``password_changed`` of each validator after a user with a new password is saved, which is where
the history is written.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.hashers import check_password
from django.contrib.auth.password_validation import (
    MinimumLengthValidator as _MinimumLengthValidator,
)
from django.core.exceptions import ValidationError
from django.utils import timezone


def history_depth() -> int:
    return int(getattr(settings, "PASSWORD_HISTORY_DEPTH", 5))


def max_age() -> timedelta | None:
    days = int(getattr(settings, "PASSWORD_MAX_AGE_DAYS", 90))
    return timedelta(days=days) if days > 0 else None


def warning_window() -> timedelta:
    return timedelta(days=int(getattr(settings, "PASSWORD_EXPIRY_WARNING_DAYS", 14)))


class MinimumLengthValidator(_MinimumLengthValidator):
    """Django's length rule with its message in Chinese (Django's own zh-hans catalogue lacks
    the current wording)."""

    def get_error_message(self):
        return f"密码长度太短，至少需要 {self.min_length} 个字符。"

    def get_help_text(self):
        return f"密码至少需要 {self.min_length} 个字符。"


class UsernameNotContainedValidator:
    """The password must not contain the username (in any letter case)."""

    def validate(self, password, user=None):
        username = (user.get_username() if user is not None else "") or ""
        if len(username) >= 3 and username.lower() in (password or "").lower():
            raise ValidationError("密码不能包含用户名。", code="password_contains_username")

    def get_help_text(self):
        return "密码不能包含用户名。"


class PasswordHistoryValidator:
    """No reuse of the last ``PASSWORD_HISTORY_DEPTH`` passwords (default 5)."""

    def validate(self, password, user=None):
        if user is None or user.pk is None:
            return
        from security.models import PasswordHistory

        earlier = PasswordHistory.objects.filter(user=user).values_list("password", flat=True)
        for encoded in earlier[: history_depth()]:
            if check_password(password, encoded):
                raise ValidationError(
                    f"新密码不能与最近 {history_depth()} 次使用过的密码相同。",
                    code="password_reused",
                )

    def password_changed(self, password, user=None):
        if user is None or user.pk is None or not user.password:
            return
        from security.models import PasswordHistory

        PasswordHistory.objects.create(user=user, password=user.password)
        keep = PasswordHistory.objects.filter(user=user).values_list("pk", flat=True)[
            : history_depth()
        ]
        PasswordHistory.objects.filter(user=user).exclude(pk__in=list(keep)).delete()

    def get_help_text(self):
        return f"不能与最近 {history_depth()} 次使用过的密码相同。"


def password_set_at(user):
    """When the current password was set: the newest history entry, else the account's creation."""
    from security.models import PasswordHistory

    latest = PasswordHistory.objects.filter(user=user).values_list("changed_at", flat=True).first()
    return latest or user.date_joined


def expires_at(user):
    age = max_age()
    if age is None:
        return None
    return password_set_at(user) + age


def is_expired(user, now=None) -> bool:
    when = expires_at(user)
    return when is not None and (now or timezone.now()) >= when


def days_to_expiry(user, now=None) -> int | None:
    """Days left when inside the warning window, else None."""
    when = expires_at(user)
    if when is None:
        return None
    left = when - (now or timezone.now())
    if left > warning_window() or left.total_seconds() <= 0:
        return None
    return max(1, left.days + (1 if left.seconds else 0))
