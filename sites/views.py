"""Admin views of staff accounts: first-login password change, reset, disable and enable."""

from django.contrib import messages
from django.contrib.auth import get_user_model, update_session_auth_hash
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.views.decorators.http import require_POST

from sites.forms import FirstPasswordForm, PortalAccountForm
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
    user = get_object_or_404(get_user_model(), pk=user_id)
    if not accounts.can_manage(request.user, user):
        raise PermissionDenied
    return user


def _back(request, user):
    if request.user.has_perm("auth.change_user"):
        return redirect("wagtailusers_users:edit", user.pk)
    return redirect("portal_accounts")


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
        # The user listing's button carries it in its address, the forms in their body.
        active = request.POST.get("active", request.GET.get("active")) == "1"
        accounts.set_active(user, active)
        messages.success(request, f"已{'启用' if active else '停用'}账号 {user.get_username()}。")
    return _back(request, user)


def portal_account_list(request):
    """A portal administrator's accounts: their portals' staff, with reset, disable and enable
    buttons, and a form creating an account with a role on one of their portals."""
    portals = accounts.admin_portals(request.user)
    if not portals:
        raise PermissionDenied
    form = PortalAccountForm(portals, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        row = {"username": data["username"], "姓名": data["name"], "phone": data["phone"]}
        portal = next(p for p in portals if p.code == data["portal"])
        _, password = accounts.apply_row(row, portal, data["role"])
        user = get_user_model().objects.get(username=data["username"])
        return TemplateResponse(
            request, "portal_sites/password_reset_done.html", {"target": user, "password": password}
        )
    return TemplateResponse(
        request,
        "portal_sites/portal_accounts.html",
        {
            "accounts": accounts.portal_accounts(request.user),
            "portals": portals,
            "form": form,
            "header_title": "本门户账号",
        },
        status=400 if request.method == "POST" else 200,
    )
