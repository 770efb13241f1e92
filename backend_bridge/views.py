"""Portal pages of 互动交流 under /hdjl/: petition, 平陆运河 green channel, the leader message
board (ldly/), people's suggestions and campaigns (rmjy/), lookup and evaluation.

Thin: each view hands the input to a service and re-renders the form with the citizen's input and
the service's field errors (never a 500). Pages carry personal data, so they are never cached.
"""

from django.core.paginator import Paginator
from django.http import Http404, HttpResponseNotFound
from django.http.multipartparser import MultiPartParserError
from django.shortcuts import redirect, render
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
from .services import board, citizen, suggestions
from .services.errors import BridgeError, LookupFailed
from .services.lookup import lookup, view_for_token
from .services.submission import PetitionInput, submit_petition
from .web import client_ip, portal_for_request

ACCEPTED_KEY = "bridge_accepted"
ACCESS_KEY = "bridge_access"


@never_cache
def index(request):
    return render(request, "backend_bridge/index.html")


def _petition(request, channel: str):
    portal = portal_for_request(request)
    if portal is None:
        return HttpResponseNotFound("找不到对应的门户网站")
    template = "backend_bridge/petition.html"
    context = {"channel": channel, "is_canal": channel == Channel.PINGLU_CANAL}
    if request.method != "POST":
        return render(request, template, {**context, "form": PetitionForm()})
    try:
        form = PetitionForm(request.POST, request.FILES)
        valid = form.is_valid()
    except MultiPartParserError:
        form = PetitionForm(data={})
        form.is_valid()
        form.add_error(None, "上传的内容不完整或格式有误，请重新选择附件后提交。")
        return render(request, template, {**context, "form": form}, status=400)
    if not valid:
        return render(request, template, {**context, "form": form}, status=400)
    data = PetitionInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in PetitionInput.__dataclass_fields__
            if key != "files"
        },
        files=form.cleaned_data.get("attachments") or [],
    )
    try:
        accepted = submit_petition(
            portal, data, channel=channel, source=Source.PORTAL, ip=client_ip(request)
        )
    except BridgeError as error:
        form.apply(error)
        return render(request, template, {**context, "form": form}, status=error.status)
    request.session[ACCEPTED_KEY] = {
        "query_code": accepted.query_code,
        "title": accepted.submission.title,
        "duplicate": accepted.submission.is_duplicate_suspect,
    }
    return redirect("backend_bridge:accepted")


@never_cache
@require_http_methods(["GET", "POST"])
def petition(request):
    return _petition(request, Channel.ONLINE)


@never_cache
@require_http_methods(["GET", "POST"])
def canal_petition(request):
    return _petition(request, Channel.PINGLU_CANAL)


@never_cache
def accepted(request):
    # Shown once: reloading does not show the code again (it is not stored anywhere).
    data = request.session.pop(ACCEPTED_KEY, None)
    if data is None:
        return redirect("backend_bridge:lookup")
    return render(request, "backend_bridge/accepted.html", data)


@never_cache
@require_http_methods(["GET", "POST"])
def lookup_page(request):
    template = "backend_bridge/lookup.html"
    if request.method != "POST":
        return render(
            request,
            template,
            {"form": LookupForm(initial={"query_code": request.GET.get("code", "")})},
        )
    form = LookupForm(request.POST)
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
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
        return render(request, template, {"form": form}, status=error.status)
    request.session.cycle_key()
    request.session[ACCESS_KEY] = view.access_token
    return redirect("backend_bridge:case")


def _case_context(view, evaluation_form=None, follow_up_form=None):
    return {
        "view": view,
        "submission": view.submission,
        "evaluation_form": evaluation_form or EvaluationForm(),
        "follow_up_form": follow_up_form or FollowUpForm(),
    }


@never_cache
@require_http_methods(["GET", "POST"])
def case(request):
    try:
        view = view_for_token(request.session.get(ACCESS_KEY, ""))
    except LookupFailed:
        request.session.pop(ACCESS_KEY, None)
        return redirect("backend_bridge:lookup")
    template = "backend_bridge/case.html"
    if request.method != "POST":
        return render(request, template, _case_context(view))
    action = request.POST.get("action")
    if action == "evaluate":
        form = EvaluationForm(request.POST)
        if form.is_valid():
            try:
                citizen.evaluate(
                    view.submission, form.cleaned_data["rating"], form.cleaned_data["reason"]
                )
                return redirect("backend_bridge:case")
            except BridgeError as error:
                form.apply(error)
        return render(request, template, _case_context(view, evaluation_form=form), status=400)
    if action == "follow_up":
        form = FollowUpForm(request.POST)
        if form.is_valid():
            try:
                citizen.add_follow_up(view.submission, form.cleaned_data["content"])
                return redirect("backend_bridge:case")
            except BridgeError as error:
                form.apply(error)
        return render(request, template, _case_context(view, follow_up_form=form), status=400)
    return render(request, template, _case_context(view), status=400)


def _remember_accepted(request, accepted) -> None:
    request.session[ACCEPTED_KEY] = {
        "query_code": accepted.query_code,
        "title": accepted.submission.title,
        "duplicate": accepted.submission.is_duplicate_suspect,
        "kind": accepted.submission.kind,
    }


# --- 领导留言板 ---------------------------------------------------------------------------------


@never_cache
def board_page(request):
    portal = portal_for_request(request)
    if portal is None:
        return HttpResponseNotFound("找不到对应的门户网站")
    page = Paginator(board.published_messages(portal), 10).get_page(request.GET.get("p"))
    return render(
        request,
        "backend_bridge/board.html",
        {"leaders": board.leaders_for(portal), "page": page},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def message_page(request):
    portal = portal_for_request(request)
    if portal is None:
        return HttpResponseNotFound("找不到对应的门户网站")
    template = "backend_bridge/message.html"
    leaders = list(board.leaders_for(portal))
    if request.method != "POST":
        form = LeaderMessageForm(leaders=leaders, initial={"leader": request.GET.get("leader")})
        return render(request, template, {"form": form, "leaders": leaders})
    form = LeaderMessageForm(request.POST, leaders=leaders)
    if not form.is_valid():
        return render(request, template, {"form": form, "leaders": leaders}, status=400)
    data = board.MessageInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in ("leader", "title", "content", "name", "phone", "id_number", "sms_code")
        },
        publish=not form.cleaned_data.get("keep_private"),
    )
    try:
        accepted = board.submit_message(portal, data, source=Source.PORTAL, ip=client_ip(request))
    except BridgeError as error:
        form.apply(error)
        return render(request, template, {"form": form, "leaders": leaders}, status=error.status)
    _remember_accepted(request, accepted)
    return redirect("backend_bridge:accepted")


# --- 人民建议征集 -------------------------------------------------------------------------------


@never_cache
def suggestions_page(request):
    portal = portal_for_request(request)
    if portal is None:
        return HttpResponseNotFound("找不到对应的门户网站")
    return render(
        request,
        "backend_bridge/suggestions.html",
        {
            "campaigns": suggestions.campaigns_for(portal),
            "open_ids": set(suggestions.open_campaigns(portal).values_list("pk", flat=True)),
            "domains": suggestions.active_domains(),
        },
    )


@never_cache
def campaign_page(request, pk: int):
    portal = portal_for_request(request)
    campaign = portal and suggestions.campaigns_for(portal).filter(pk=pk).first()
    if not campaign:
        raise Http404("找不到该主题征集")
    return render(
        request,
        "backend_bridge/campaign.html",
        {"campaign": campaign, "is_open": campaign.is_open()},
    )


@never_cache
@require_http_methods(["GET", "POST"])
def suggestion_page(request):
    portal = portal_for_request(request)
    if portal is None:
        return HttpResponseNotFound("找不到对应的门户网站")
    template = "backend_bridge/suggestion.html"
    domains = list(suggestions.active_domains())
    if request.method != "POST":
        form = SuggestionForm(
            domains=domains,
            campaigns=suggestions.open_campaigns(portal),
            initial={"campaign": request.GET.get("campaign")},
        )
        return render(request, template, {"form": form})
    # Every campaign of the portal is a valid choice here: the service explains a closed one.
    form = SuggestionForm(
        request.POST, domains=domains, campaigns=suggestions.campaigns_for(portal)
    )
    if not form.is_valid():
        return render(request, template, {"form": form}, status=400)
    data = suggestions.SuggestionInput(
        **{
            key: form.cleaned_data.get(key) or ""
            for key in suggestions.SuggestionInput.__dataclass_fields__
        }
    )
    try:
        accepted = suggestions.submit_suggestion(
            portal, data, source=Source.PORTAL, ip=client_ip(request)
        )
    except BridgeError as error:
        form.apply(error)
        return render(request, template, {"form": form}, status=error.status)
    _remember_accepted(request, accepted)
    return redirect("backend_bridge:accepted")
