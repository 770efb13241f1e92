"""Staff holding a one-time or an expired password must set a new one before using either admin
(/admin/ and /django-admin/)."""

from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_WHILE_PENDING = (
    "/admin/logout/",
    "/admin/login/",
    "/admin/first-password/",
    "/admin/otp/",
    "/static/",
    "/admin/jsi18n/",
    "/admin/sprite/",
    "/django-admin/login/",
    "/django-admin/logout/",
)
GUARDED = ("/admin/", "/django-admin/")


def must_set_password(user) -> bool:
    profile = getattr(user, "account_profile", None)
    if profile is not None and profile.must_change_password:
        return True
    from security.passwords import is_expired

    return is_expired(user)


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith(GUARDED) and not request.path.startswith(ALLOWED_WHILE_PENDING):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated and must_set_password(user):
                return redirect(reverse("portal_first_password"))
        return self.get_response(request)
