"""Signal receivers: lockout counts and delays, session start time, the password-expiry warning."""

from axes.signals import user_locked_out
from django.contrib import messages
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver

from security import lockout, passwords, sessions


@receiver(user_locked_out)
def _count_lockout(sender, request=None, username=None, ip_address=None, **kwargs):
    if request is not None:
        lockout.record_lockout(request, username)


@receiver(user_login_failed)
def _delay_next_try(sender, credentials=None, request=None, **kwargs):
    if request is not None and not getattr(request, "security_retry_after", 0):
        lockout.record_failure(request, (credentials or {}).get("username"))


@receiver(user_logged_in)
def _start_session(sender, request=None, user=None, **kwargs):
    if request is not None and user is not None:
        lockout.clear_failures(request, user.get_username())
        sessions.start(request)
        left = passwords.days_to_expiry(user)
        if left is not None:
            messages.warning(
                request, f"您的密码将在 {left} 天后过期，请及时修改。", fail_silently=True
            )
