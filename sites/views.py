"""Admin views of staff accounts: the first-login password change, and the addresses of the
former 本门户账号 screen, which now lead to the user list's own actions (sites.admin_users)."""

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
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


def moved_action(url_name: str):
    """A POST to an old action address, sent on to its new one with its body (307)."""

    @require_POST
    def view(request, user_id):
        target = reverse(url_name, args=[user_id])
        if request.META.get("QUERY_STRING"):
            target += "?" + request.META["QUERY_STRING"]
        response = HttpResponseRedirect(target)
        response.status_code = 307
        return response

    return view
