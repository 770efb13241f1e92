"""The citizens' H5 pages inside WeChat, ``/wechat/<code>/h5/…``: petition, 平陆运河 green channel,
lookup and evaluation, leader messages, people's suggestions and their campaigns.

They are the portal's flows (``backend_bridge.views``) behind a :class:`WeChatFront`: a phone
layout, the account's portal (``portal`` in ``WECHAT_ACCOUNTS``), ``source`` WeChat, and on a
service account the citizen's OpenID from web authorisation (``oauth``), recorded with each
submission so the citizen finds it again here and can agree to subscribe messages about it. On a
subscription account the pages work as on the portal, with query codes only.
"""

from __future__ import annotations

import uuid
from functools import wraps

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from backend_bridge import views as bridge
from backend_bridge.models import Channel, Source, Submission
from backend_bridge.services.lookup import issue_access_token

from ..models import WeChatSubmission
from . import notices, oauth
from .accounts import AccountNotConfigured, WeChatAccount, get_account

TEMPLATE_DIR = "channels/wechat/h5"


class WeChatFront(bridge.Front):
    """The H5 pages of one official account, for one citizen (``openid`` on service accounts)."""

    source = Source.WECHAT
    template_dir = TEMPLATE_DIR

    def __init__(self, request, account: WeChatAccount, openid: str = ""):
        super().__init__(request)
        self.account = account
        self.openid = openid

    def portal(self):
        from sites.models import Portal

        return Portal.objects.select_related("site").filter(code=self.account.portal).first()

    def url(self, name: str, *args) -> str:
        return reverse(f"wechat:h5_{name}", args=(self.account.code, *args))

    def context(self) -> dict:
        return {"account": self.account, "openid": self.openid, "front": self}

    def stored(self, accepted) -> None:
        if self.openid:
            WeChatSubmission.objects.create(
                account=self.account.code, openid=self.openid, submission=accepted.submission
            )

    def _mine(self):
        if not self.openid:
            return Submission.objects.none()
        return Submission.objects.filter(
            wechat__account=self.account.code, wechat__openid=self.openid
        )

    def my_submissions(self):
        """The citizen's own submissions through this account (none without an OpenID)."""
        return self._mine().order_by("-created_at")[:20]

    def own(self, reference) -> Submission:
        """The citizen's submission with this reference, or 404 (another's is never found)."""
        try:
            reference = uuid.UUID(str(reference))
        except ValueError:
            raise Http404("找不到该信访件") from None
        found = self._mine().filter(reference=reference).first()
        if found is None:
            raise Http404("找不到该信访件")
        return found

    def notice_templates(self):
        return notices.offer(self.account, self.openid)

    def wx_config(self):
        return notices.js_config(self.account, self.request.build_absolute_uri())


def problem(request, account: WeChatAccount, message: str, status: int, retry: str = ""):
    """A clear page for what went wrong, with a way to start again."""
    return render(
        request,
        f"{TEMPLATE_DIR}/problem.html",
        {"account": account, "message": message, "retry": retry},
        status=status,
    )


def h5_page(view):
    """Resolve the account; on a service account, make sure the citizen's OpenID is known."""

    @never_cache
    @require_http_methods(["GET", "POST"])
    @wraps(view)
    def wrapper(request, code: str, *args, **kwargs):
        try:
            account = get_account(code)
        except AccountNotConfigured:
            raise Http404("未配置该公众号") from None
        openid = ""
        if account.is_service:
            openid = oauth.openid_for(request, account)
            if not openid:
                start = WeChatFront(request, account).url("index")
                if request.method != "GET":
                    return problem(
                        request,
                        account,
                        "页面停留时间过长，微信登录已失效，请重新进入后再提交。",
                        403,
                        start,
                    )
                return redirect(oauth.start(request, account, request.get_full_path()))
        return view(WeChatFront(request, account, openid), *args, **kwargs)

    return wrapper


@never_cache
def oauth_return(request, code: str):
    """Where WeChat sends the citizen back with ``code`` and ``state``."""
    try:
        account = get_account(code)
    except AccountNotConfigured:
        raise Http404("未配置该公众号") from None
    if not account.is_service:
        raise Http404("订阅号不支持网页授权")
    retry = WeChatFront(request, account).url("index")
    try:
        next_path = oauth.complete(
            request, account, request.GET.get("code", ""), request.GET.get("state", "")
        )
    except oauth.OAuthFailed as failure:
        return problem(request, account, failure.message, failure.status, retry)
    return redirect(next_path)


@h5_page
def index(front):
    return front.render("index", {})


@h5_page
def petition(front):
    return bridge.petition_flow(front, Channel.ONLINE)


@h5_page
def canal_petition(front):
    return bridge.petition_flow(front, Channel.PINGLU_CANAL)


@h5_page
def accepted(front):
    return bridge.accepted_flow(front)


@h5_page
def receipt(front):
    return bridge.receipt_flow(front)


@h5_page
def lookup(front):
    return bridge.lookup_flow(front)


@h5_page
def case(front):
    return bridge.case_flow(front)


@h5_page
def my_case(front, reference):
    """Open one of the citizen's own submissions, proven by the OpenID instead of a query code."""
    return bridge.open_case(front, issue_access_token(front.own(reference)))


@h5_page
def board(front):
    return bridge.board_flow(front)


@h5_page
def message(front):
    return bridge.message_flow(front)


@h5_page
def suggestions(front):
    return bridge.suggestions_flow(front)


@h5_page
def campaign(front, pk: int):
    return bridge.campaign_flow(front, pk)


@h5_page
def suggestion(front):
    return bridge.suggestion_flow(front)


@require_POST
@h5_page
def subscribe(front):
    """The citizen's answer to the subscribe-message offer (after WeChat's own dialog)."""
    submission = front.own(front.request.POST.get("reference", ""))
    titles = notices.agree(
        front.account, front.openid, submission, front.request.POST.getlist("template_id")
    )
    return front.render(
        "subscribed", {"titles": titles, "submission": submission}, status=200 if titles else 400
    )
