"""Staff holding a one-time password must set their own before using the admin."""

from django.shortcuts import redirect
from django.urls import reverse

ALLOWED_WHILE_PENDING = (
    "/admin/logout/",
    "/admin/login/",
    "/admin/first-password/",
    "/static/",
    "/admin/jsi18n/",
)


class ForcePasswordChangeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/admin/") and not request.path.startswith(
            ALLOWED_WHILE_PENDING
        ):
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                profile = getattr(user, "account_profile", None)
                if profile is not None and profile.must_change_password:
                    return redirect(reverse("portal_first_password"))
        return self.get_response(request)
