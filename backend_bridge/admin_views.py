"""Wagtail admin screens of the bridge: the case inbox (信访件受理台, with the publication
decision on replied leader messages) and the outbox (待发送消息).

Thin: listing, permission checks and actions come from ``services.inbox`` and
``services.outbox``.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.views.decorators.http import require_POST

from .case_system import uses_inbox
from .forms import EvaluationFilterForm
from .models import Kind, OutboxItem, Source, Status, Submission
from .services import board, evaluations, inbox, outbox
from .services.errors import BridgeError
from .services.limits import time_limits
from .signals import data_exported
from .web import client_ip


def _guard(request):
    if not inbox.can_use_inbox(request.user):
        raise PermissionDenied


def case_list(request):
    _guard(request)
    queryset = inbox.submissions_for(request.user)
    status = request.GET.get("status", "")
    if status in Status.values:
        queryset = queryset.filter(status=status)
    if request.GET.get("flag") == "moderation":
        queryset = queryset.filter(needs_moderation=True)
    kind = request.GET.get("kind", "")
    if kind in Kind.values:
        queryset = queryset.filter(kind=kind)
    source = request.GET.get("source", "")
    if source in Source.values:  # 来源: 门户网站 / 微信 / APP / 接口
        queryset = queryset.filter(source=source)
    if request.GET.get("pub") == "1":
        queryset = queryset.filter(kind=Kind.LEADER_MESSAGE, publication="pending")
    page = Paginator(queryset, 30).get_page(request.GET.get("p"))
    # The pages of a filtered list stay filtered.
    query = request.GET.copy()
    query.pop("p", None)
    return TemplateResponse(
        request,
        "backend_bridge/admin/case_list.html",
        {
            "page": page,
            "query": query.urlencode(),
            "statuses": Status.choices,
            "status": status,
            "kinds": Kind.choices,
            "kind": kind,
            "sources": Source.choices,
            "source": source,
            "header_title": "信访件受理台",
            "inbox_mode": uses_inbox(),
        },
    )


def _scoped_case(request, pk):
    """The submission if it is the user's to see; 404 otherwise (never telling whether it
    exists), and an attempt on another portal's submission is signalled for the audit log."""
    submission = inbox.submissions_for(request.user).filter(pk=pk).first()
    if submission is None:
        if Submission.objects.filter(pk=pk).exists():
            from .signals import abuse_refused

            abuse_refused.send(
                None,
                kind="submission_access_denied",
                ip=client_ip(request),
                details={"submission": pk, "method": request.method},
            )
        raise Http404
    return submission


def case_detail(request, pk):
    _guard(request)
    submission = _scoped_case(request, pk)
    revealed = None
    # What the staff member typed, shown again when the step is refused (never lost).
    posted = {}
    field_errors = {}
    status_code = 200
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "reveal":
                revealed = inbox.reveal(
                    request.user, submission, request.POST.get("reason", ""), client_ip(request)
                )
            elif action == "handle":
                posted = {"action": action, **request.POST.dict()}
                inbox.handle(
                    request.user,
                    submission,
                    status=request.POST.get("status", ""),
                    note=request.POST.get("note", ""),
                    reply=request.POST.get("reply", ""),
                    extension_days=request.POST.get("extension_days", ""),
                )
                messages.success(request, "办理状态已更新。")
                return redirect("backend_bridge_admin:case", pk=pk)
            elif action == "note":
                posted = {"action": action, **request.POST.dict()}
                inbox.add_note(request.user, submission, request.POST.get("content", ""))
                messages.success(
                    request,
                    "办理备注已保存。"
                    if uses_inbox()
                    else "办理备注已保存，将按顺序送达案件系统。",
                )
                return redirect(f"{request.path}#steps")
            elif action == "publication":
                approve = request.POST.get("decision") == "approve"
                board.decide_publication(request.user, submission, approve)
                messages.success(request, "已同意公开。" if approve else "已决定不予公开。")
                return redirect("backend_bridge_admin:case", pk=pk)
            else:
                messages.error(request, "未知的操作，请刷新页面后重试。")
                status_code = 400
        except BridgeError as error:
            field_errors = error.field_errors
            status_code = error.status if 400 <= error.status < 500 else 400
            for field_messages in error.field_errors.values():
                for message in field_messages:
                    messages.error(request, message)
            if not error.field_errors:
                messages.error(request, error.message)
        submission.refresh_from_db()
    return TemplateResponse(
        request,
        "backend_bridge/admin/case_detail.html",
        {
            "submission": submission,
            "revealed": revealed,
            "limits": time_limits(submission),
            "can_unmask": inbox.can_unmask(request.user, submission),
            "can_handle": inbox.can_handle(request.user, submission),
            "can_moderate": board.can_moderate(request.user, submission),
            "publication_blocker": board.publication_blocker(submission),
            "statuses": [c for c in Status.choices if c[0] != Status.SUBMITTED],
            "outbox_items": submission.outbox_items.all(),
            "steps": inbox.case_steps(submission),
            "inbox_mode": uses_inbox(),
            "posted": posted,
            "field_errors": field_errors,
            "max_note": inbox.MAX_NOTE,
            "header_title": f"{submission.get_kind_display()}：{submission.title}",
        },
        status=status_code,
    )


def outbox_list(request):
    _guard(request)
    portal_ids = inbox.submissions_for(request.user).values("portal_id")
    items = OutboxItem.objects.select_related("submission__portal").filter(
        submission__portal_id__in=portal_ids
    )
    if request.GET.get("all") != "1":
        items = items.filter(state=OutboxItem.State.PENDING)
    page = Paginator(items.order_by("-attempts", "created_at"), 50).get_page(request.GET.get("p"))
    return TemplateResponse(
        request,
        "backend_bridge/admin/outbox_list.html",
        {"page": page, "header_title": "待发送消息", "show_all": request.GET.get("all") == "1"},
    )


@require_POST
def outbox_retry(request):
    _guard(request)
    portal_ids = inbox.submissions_for(request.user).values("portal_id")
    allowed = OutboxItem.objects.filter(submission__portal_id__in=portal_ids)
    if request.POST.get("item"):
        item = request.POST["item"].strip()
        # An unknown item, or another portal's, is not there for this user (never a 500).
        if not item.isdigit() or not allowed.filter(pk=int(item)).exists():
            raise Http404("没有找到这条待发送消息。")
        ids = [int(item)]
    else:
        ids = allowed.values_list("pk", flat=True)
    count = outbox.retry_now(list(ids))
    messages.success(request, f"已安排 {count} 条消息立即重试。")
    return redirect("backend_bridge_admin:outbox")


def evaluation_list(request):
    """满意度评价: the evaluations of the user's portals, filtered, counted and exported."""
    _guard(request)
    from sites.models import Portal

    portals = Portal.objects.filter(
        pk__in=inbox.submissions_for(request.user).values("portal_id")
    ).order_by("pk")
    form = EvaluationFilterForm(request.GET or None, portals=portals)
    chosen = evaluations.EvaluationFilter()
    status_code = 200
    if form.is_bound:
        if form.is_valid():
            chosen = form.chosen()
        else:
            status_code = 400
    queryset = evaluations.filtered(request.user, chosen)
    if status_code == 200 and request.GET.get("format") == "xlsx":
        portal = form.cleaned_data.get("portal") if form.is_bound else None
        count = min(queryset.count(), evaluations.EXPORT_LIMIT)
        # Recorded before the file is built, like the audit log's own export.
        data_exported.send(
            None,
            user=request.user,
            action="evaluation_export",
            what="满意度评价",
            count=count,
            filters=chosen.describe(),
            portal=portal.code if portal else "",
        )
        response = HttpResponse(
            evaluations.export_xlsx(queryset),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        name = f"evaluations_{timezone.localtime():%Y%m%d_%H%M%S}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    if status_code != 200:
        queryset = queryset.none()
    page = Paginator(queryset, 50).get_page(request.GET.get("p"))
    query = request.GET.copy()
    query.pop("p", None)
    query.pop("format", None)
    return TemplateResponse(
        request,
        "backend_bridge/admin/evaluation_list.html",
        {
            "form": form,
            "page": page,
            "summary": evaluations.summary(queryset),
            "query": query.urlencode(),
            "header_title": "满意度评价",
        },
        status=status_code,
    )
