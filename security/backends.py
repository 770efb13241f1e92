"""The first authentication backend: django-axes' lockout plus the increasing delay before it."""

from axes.backends import AxesStandaloneBackend
from django.core.exceptions import PermissionDenied

from security import lockout


class LoginDelayRefused(PermissionDenied):
    """A try came before the delay after the last failure was over."""


class LockoutBackend(AxesStandaloneBackend):
    """Refuses logins of locked usernames and addresses (axes) and tries that come too soon
    after a failure. A call without a request (management commands, the test client's
    ``login``) is not an HTTP login: it is neither counted nor refused here."""

    def authenticate(self, request=None, username=None, password=None, **kwargs):
        if request is None:
            return None
        super().authenticate(request, username=username, password=password, **kwargs)
        wait = lockout.retry_after(request, username)
        if wait > 0:
            request.security_retry_after = wait
            raise LoginDelayRefused(f"登录失败次数较多，请 {wait} 秒后再试。")
        return None
