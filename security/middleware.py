"""Request-time guards of staff sessions and the HTTP hardening headers.

- ``SessionTimeoutMiddleware``: idle and absolute session timeouts (security.sessions).
- ``SecondFactorMiddleware``: a session is a full sign-in only after the second factor. Until
  then the admin (/admin/, /django-admin/) sends the user to the OTP step (or to enrolment on
  first login), and every other path sees an anonymous user, so a half-signed-in session cannot
  call staff APIs.
- ``ContentSecurityPolicyMiddleware``: django-csp with the strict public policy everywhere and a
  separate policy for the admin screens (settings.CONTENT_SECURITY_POLICY_ADMIN, scripts by
  nonce: security.admin_csp), plus Permissions-Policy.
"""

from __future__ import annotations

from contextlib import suppress
from urllib.parse import quote

from csp.middleware import CSPMiddleware, PolicyParts
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.models import AnonymousUser
from django.shortcuts import redirect, resolve_url
from django.urls import reverse

from security import admin_csp, sessions

ADMIN_PREFIXES = ("/admin/", "/django-admin/")
# Reachable while the second factor is pending: signing in and out, the OTP step itself, assets.
OPEN_WHILE_PENDING = (
    "/admin/login/",
    "/admin/logout/",
    "/admin/otp/",
    "/admin/jsi18n/",
    "/admin/sprite/",
    "/django-admin/login/",
    "/django-admin/logout/",
    "/static/",
)


def _is_admin(path: str) -> bool:
    return path.startswith(ADMIN_PREFIXES)


class SessionTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = sessions.expired(request)
            if reason is not None:
                logout(request)
                if _is_admin(request.path):
                    messages.warning(
                        request,
                        "长时间未操作，已自动退出登录，请重新登录。"
                        if reason == "idle"
                        else "登录已超过最长有效时间，请重新登录。",
                    )
                    login = resolve_url(settings.LOGIN_URL)
                    return redirect(f"{login}?next={quote(request.get_full_path())}")
        return self.get_response(request)


def second_factor_pending(user) -> bool:
    if user is None or not user.is_authenticated:
        return False
    is_verified = getattr(user, "is_verified", None)
    return not (is_verified and is_verified())


class SecondFactorMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if second_factor_pending(user) and not request.path.startswith(OPEN_WHILE_PENDING):
            if _is_admin(request.path):
                return redirect(f"{reverse('security_otp')}?next={quote(request.get_full_path())}")
            request.user = AnonymousUser()

            async def anonymous():
                return request.user

            request.auser = anonymous
        return self.get_response(request)


class ContentSecurityPolicyMiddleware(CSPMiddleware):
    def process_request(self, request):
        super().process_request(request)
        # Wagtail's widgets render without the request: they find the nonce through this.
        request._admin_csp_token = admin_csp.set_admin_request(
            request if _is_admin(request.path_info) else None
        )

    def get_policy_parts(self, request, response, report_only=False):
        parts = super().get_policy_parts(request, response, report_only)
        if not report_only and _is_admin(request.path_info) and parts.config is None:
            admin_policy = getattr(settings, "CONTENT_SECURITY_POLICY_ADMIN", None)
            if admin_policy:
                return PolicyParts(
                    admin_policy.get("DIRECTIVES"), parts.update, parts.replace, parts.nonce
                )
        return parts

    def process_response(self, request, response):
        response = super().process_response(request, response)
        token = getattr(request, "_admin_csp_token", None)
        if token is not None:
            # Set in another context (an async request's thread): it ends with that context.
            with suppress(ValueError):
                admin_csp.reset_admin_request(token)
        policy = getattr(settings, "PERMISSIONS_POLICY", "")
        if policy and "Permissions-Policy" not in response:
            response["Permissions-Policy"] = policy
        return response
