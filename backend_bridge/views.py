"""Portal pages of 互动交流 under /hdjl/: petition, 平陆运河 green channel, the leader message
board (ldly/), people's suggestions and campaigns (rmjy/), lookup and evaluation.

Thin: each flow hands the input to a service and re-renders the form with the citizen's input
and the service's field errors (never a 500). Pages carry personal data, so they are never
cached. The flows (``*_flow``) take a :class:`Front`: the portal pages use it as it is; another
front door (the WeChat H5 pages in ``channels.wechat.h5``) subclasses it to change the templates,
the portal, the ``source`` of what is stored, its URLs and what it records with a submission,
without copying a flow.
"""

import time

from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponseNotFound
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from .forms import (
    EvaluationForm,
    FollowUpForm,
    LeaderMessageForm,
    LookupForm,
    PetitionForm,
    SuggestionForm,
)
from .models import Channel, Source
from .services import board, citizen, receipts, suggestions
from .services.errors import BridgeError, LookupFailed
from .services.lookup import lookup, view_for_token
from .services.submission import PetitionInput, submit_petition
from .web import client_ip, portal_for_request

ACCEPTED_KEY = "bridge_accepted"
ACCEPTED_MAX_AGE = 2 * 3600  # seconds the confirmation can be shown again in the same session
ACCESS_KEY = "bridge_access"


class Front:
    """The door a citizen came in through: here, the portal the request's host belongs to."""

    source = Source.PORTAL
    template_dir = "backend_bridge"
    namespace = "backend_bridge"

    def __init__(self, request):
        self.request = request

    def portal(self):
        """The portal (sites.Portal) that submissions through this door belong to, or None."""
        return portal_for_request(self.request)

    def url(self, name: str, *args) -> str:
        return reverse(f"{self.namespace}:{name}", args=args)

    def context(self) -> dict:
        """Extra template context of every page of this door."""
        return {}

    def render(self, name: str, context: dict, status: int = 200):
        return render(
            self.request,
            f"{self.template_dir}/{name}.html",
            {**self.context(), **context},
            status=status,
        )

    def stored(self, accepted) -> None:
        """Called in the transaction that stores a submission made through this door."""


def _submit(front: Front, service, *args, **kwargs):
    """Call a submitting service with this door's source; the door's own record of the
    submission is written in the same transaction."""
    with transaction.atomic():
        accepted = service(*args, source=front.source, ip=client_ip(front.request), **kwargs)
        front.stored(accepted)
    receipts.text_query_code(accepted)
    front.request.session[ACCEPTED_KEY] = receipts.confirmation(accepted)
    return redirect(front.url("accepted"))


def _no_portal():
    return HttpResponseNotFound("找不到对应的门户网站", content_type="text/plain; charset=utf-8")


# --- 网上信访 and 平陆运河绿色通道 -----------------------------------------------------------------


def petition_flow(front: Front, channel: str):
    request = front.request
    portal = front.portal()
    if portal is None:
        return _no_portal()
    context = {"channel": channel, "is_canal": channel == Channel.PINGLU_CANAL}
    if request.method != "POST":
        return front.render("petition", {**context, "form": PetitionForm()})
    try:
        form = PetitionForm(request.POST, request.FILES)
        valid = form.is_valid()
    except MultiPartParserError:
        form = PetitionForm(data={})
        form.is_valid()
        form.add_error(None, "上传的内容不完整或格式有误，请重新选择附件后提交。")
        return front.render("petition", {**context, "form": form}, status=400)
    if not valid:
        return front.render("petition", {**context, "form": form}, status=400)
    data = PetitionInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in PetitionInput.__dataclass_fields__
            if key != "files"
        },
        files=form.cleaned_data.get("attachments") or [],
    )
    try:
        return _submit(front, submit_petition, portal, data, channel=channel)
    except BridgeError as error:
        form.apply(error)
        return front.render("petition", {**context, "form": form}, status=error.status)


def _confirmation(front: Front):
    """The last submission's confirmation in this session, while it is fresh: reloading the page
    shows the query code again, but a browser left open on a shared computer does not keep it."""
    data = front.request.session.get(ACCEPTED_KEY)
    if not data or time.time() - data.get("shown_at", 0) > ACCEPTED_MAX_AGE:
        front.request.session.pop(ACCEPTED_KEY, None)
        return None
    return data


def accepted_flow(front: Front):
    data = _confirmation(front)
    if data is None:
        return redirect(front.url("lookup"))
    return front.render("accepted", data)


def receipt_flow(front: Front):
    """The printable receipt (回执) of the last submission in this session."""
    data = _confirmation(front)
    if data is None:
        return redirect(front.url("lookup"))
    return render(front.request, "backend_bridge/receipt.html", {**front.context(), **data})


# --- 查询评价 ----------------------------------------------------------------------------------


def lookup_flow(front: Front):
    request = front.request
    if request.method != "POST":
        form = LookupForm(initial={"query_code": request.GET.get("code", "")})
        return front.render("lookup", {"form": form})
    form = LookupForm(request.POST)
    if not form.is_valid():
        return front.render("lookup", {"form": form}, status=400)
    try:
        view = lookup(
            form.cleaned_data["query_code"],
            id_tail=form.cleaned_data["id_tail"],
            phone=form.cleaned_data["phone"],
            sms_code=form.cleaned_data["sms_code"],
            ip=client_ip(request),
        )
    except BridgeError as error:
        form.apply(error)
        return front.render("lookup", {"form": form}, status=error.status)
    return open_case(front, view.access_token)


def open_case(front: Front, access_token: str):
    """Let this browser see one case for a while (after a lookup, or another proof)."""
    front.request.session.cycle_key()
    front.request.session[ACCESS_KEY] = access_token
    return redirect(front.url("case"))


def _case_context(view, evaluation_form=None, follow_up_form=None):
    return {
        "view": view,
        "submission": view.submission,
        "evaluation_form": evaluation_form or EvaluationForm(),
        "follow_up_form": follow_up_form or FollowUpForm(),
    }


def case_flow(front: Front):
    request = front.request
    try:
        view = view_for_token(request.session.get(ACCESS_KEY, ""))
    except LookupFailed:
        request.session.pop(ACCESS_KEY, None)
        return redirect(front.url("lookup"))
    if request.method != "POST":
        return front.render("case", _case_context(view))
    action = request.POST.get("action")
    if action == "evaluate":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                citizen.evaluate(
                    view.submission, form.cleaned_data["rating"], form.cleaned_data["reason"]
                )
                return redirect(front.url("case"))
            except BridgeError as error:
                form.apply(error)
        return front.render("case", _case_context(view, evaluation_form=form), status=400)
    if action == "follow_up":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                citizen.add_follow_up(view.submission, form.cleaned_data["content"])
                return redirect(front.url("case"))
            except BridgeError as error:
                form.apply(error)
        return front.render("case", _case_context(view, follow_up_form=form), status=400)
    return front.render("case", _case_context(view), status=400)


# --- 领导留言板 ---------------------------------------------------------------------------------


def board_flow(front: Front):
    portal = front.portal()
    if portal is None:
        return _no_portal()
    page = Paginator(board.published_messages(portal), 10).get_page(front.request.GET.get("p"))
    return front.render("board", {"leaders": board.leaders_for(portal), "page": page})


def message_flow(front: Front):
    request = front.request
    portal = front.portal()
    if portal is None:
        return _no_portal()
    leaders = list(board.leaders_for(portal))
    if request.method != "POST":
        form = LeaderMessageForm(leaders=leaders, initial={"leader": request.GET.get("leader")})
        return front.render("message", {"form": form, "leaders": leaders})
    form = LeaderMessageForm(request.POST, leaders=leaders)
    if not form.is_valid():
        return front.render("message", {"form": form, "leaders": leaders}, status=400)
    data = board.MessageInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in ("leader", "title", "content", "name", "phone", "id_number", "sms_code")
        },
        publish=not form.cleaned_data.get("keep_private"),
    )
    try:
        return _submit(front, board.submit_message, portal, data)
    except BridgeError as error:
        form.apply(error)
        return front.render("message", {"form": form, "leaders": leaders}, status=error.status)


# --- 人民建议征集 -------------------------------------------------------------------------------


def suggestions_flow(front: Front):
    portal = front.portal()
    if portal is None:
        return _no_portal()
    return front.render(
        "suggestions",
        {
            "campaigns": suggestions.campaigns_for(portal),
            "open_ids": set(suggestions.open_campaigns(portal).values_list("pk", flat=True)),
            "domains": suggestions.active_domains(),
        },
    )


def campaign_flow(front: Front, pk: int):
    portal = front.portal()
    campaign = portal and suggestions.campaigns_for(portal).filter(pk=pk).first()
    if not campaign:
        raise Http404("找不到该主题征集")
    return front.render("campaign", {"campaign": campaign, "is_open": campaign.is_open()})


def suggestion_flow(front: Front):
    request = front.request
    portal = front.portal()
    if portal is None:
        return _no_portal()
    domains = list(suggestions.active_domains())
    if request.method != "POST":
        form = SuggestionForm(
            domains=domains,
            campaigns=suggestions.open_campaigns(portal),
            initial={"campaign": request.GET.get("campaign")},
        )
        return front.render("suggestion", {"form": form})
    # Every campaign of the portal is a valid choice here: the service explains a closed one.
    form = SuggestionForm(
        request.POST, domains=domains, campaigns=suggestions.campaigns_for(portal)
    )
    if not form.is_valid():
        return front.render("suggestion", {"form": form}, status=400)
    data = suggestions.SuggestionInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in suggestions.SuggestionInput.__dataclass_fields__
        }
    )
    try:
        return _submit(front, suggestions.submit_suggestion, portal, data)
    except BridgeError as error:
        form.apply(error)
        return front.render("suggestion", {"form": form}, status=error.status)


# --- the portal's pages -------------------------------------------------------------------------


@never_cache
def index(request):
    return render(request, "backend_bridge/index.html")


@never_cache
@require_http_methods(["GET", "POST"])
def petition(request):
    return petition_flow(Front(request), Channel.ONLINE)


@never_cache
@require_http_methods(["GET", "POST"])
def canal_petition(request):
    return petition_flow(Front(request), Channel.PINGLU_CANAL)


@never_cache
def accepted(request):
    return accepted_flow(Front(request))


@never_cache
def receipt(request):
    return receipt_flow(Front(request))


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_page(request):
    return lookup_flow(Front(request))


@never_cache
@require_http_methods(["GET", "POST"])
def case(request):
    return case_flow(Front(request))


@never_cache
def board_page(request):
    return board_flow(Front(request))


@never_cache
@require_http_methods(["GET", "POST"])
def message_page(request):
    return message_flow(Front(request))


@never_cache
def suggestions_page(request):
    return suggestions_flow(Front(request))


@never_cache
def campaign_page(request, pk: int):
    return campaign_flow(Front(request), pk)


@never_cache
@require_http_methods(["GET", "POST"])
def suggestion_page(request):
    return suggestion_flow(Front(request))
