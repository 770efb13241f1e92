"""Admin views of staff accounts: first-login password change, reset, disable and enable."""

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from sites.forms import FirstPasswordForm
from sites.services import accounts


def first_password(request):
    form = FirstPasswordForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        accounts.password_changed(user)
        update_session_auth_hash(request, user)
        messages.success(request, "密码已修改。")
        return redirect("wagtailadmin_home")
    profile = getattr(request.user, "account_profile", None)
    one_time = bool(profile and profile.must_change_password)
    return TemplateResponse(
        request, "portal_sites/first_password.html", {"form": form, "one_time": one_time}
    )


def _managed_user(request, user_id):
    if not request.user.has_perm("auth.change_user"):
        raise PermissionDenied
    return get_object_or_404(get_user_model(), pk=user_id)


@require_POST
def reset_password(request, user_id):
    user = _managed_user(request, user_id)
    password = accounts.reset_password(user)
    return TemplateResponse(
        request, "portal_sites/password_reset_done.html", {"target": user, "password": password}
    )


@require_POST
def set_active(request, user_id):
    user = _managed_user(request, user_id)
    if user == request.user:
        messages.error(request, "不能停用自己的账号。")
    else:
        active = request.POST.get("active") == "1"
        accounts.set_active(user, active)
        messages.success(request, f"已{'启用' if active else '停用'}账号 {user.get_username()}。")
    return redirect("wagtailusers_users:edit", user.pk)
