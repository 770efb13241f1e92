"""Admin screens of pushes (推送) and their review (接收审核), thin over ``cms.sharing``.

- 推送到其他门户 (``push``): from an article (page header and listing buttons), the sender picks
  target columns of other portals, sees every past push with its outcome and may withdraw one.
- 接收审核 (:class:`IncomingShareViewSet`): a Wagtail model viewset over ``ArticleShare`` whose
  permission policy lets a portal's reviewers see and decide only the pushes into their portal's
  columns; accepting and declining are POST forms on the review screen.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Case, IntegerField, Q, Value, When
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.views.decorators.http import require_POST
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.menus.pages import PageMenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn, UserColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import BasePermissionPolicy

from cms import sharing
from cms.models import ArticlePage, ArticleShare
from sensitive_words.engine import LEVEL_LABELS

Status = ArticleShare.Status
REVIEW_ACTIONS = {"view", "review"}


def forbidden(request, message="您没有权限进行此操作。"):
    """A real 403 (Wagtail's admin would turn PermissionDenied into a redirect to the dashboard)."""
    return TemplateResponse(request, "cms/admin/forbidden.html", {"message": message}, status=403)


# --- 推送到其他门户 ---------------------------------------------------------------------------------


class PushForm(forms.Form):
    columns = forms.TypedMultipleChoiceField(
        label="目标栏目",
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "required": "请至少选择一个目标栏目。",
            "invalid_choice": "所选栏目不能作为推送目标，请刷新页面后重新选择。",
        },
    )

    def __init__(self, *args, targets, taken, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["columns"].choices = [
            (portal, choices)
            for portal, group in targets
            if (choices := [(t.column_id, t.label) for t in group if t.column_id not in taken])
        ]


def push(request, page_id: int):
    """The sender's screen: choose target columns of other portals, follow each push's outcome."""
    article = get_object_or_404(ArticlePage, pk=page_id)
    if not sharing.may_push(request.user, article):
        return forbidden(request, "只有能编辑本文的人员可以推送本文。")
    shares = list(sharing.shares_of(article))
    taken = {s.column_id for s in shares if s.status != Status.DECLINED}
    targets = sharing.target_columns(article) if article.live else []
    form = PushForm(request.POST or None, targets=targets, taken=taken)
    if request.method == "POST" and not article.live:
        messages.error(request, sharing.NOT_LIVE)
        return redirect("cms_share:push", article.pk)
    if request.method == "POST" and form.is_valid():
        try:
            pushed = sharing.push(article, form.cleaned_data["columns"], request.user)
        except sharing.SharingError as error:
            form.add_error(None, error.message)
        else:
            messages.success(
                request, f"已推送到 {len(pushed)} 个栏目，等待对方门户审核接收后显示。"
            )
            return redirect("cms_share:push", article.pk)
    directory = sharing.PortalDirectory()
    return TemplateResponse(
        request,
        "cms/admin/share_push.html",
        {
            "article": article,
            "form": form,
            "target_groups": form.fields["columns"].choices,
            "selected": {str(v) for v in form["columns"].value() or []},
            "rows": [(share, directory.label(share.column)) for share in shares],
            "header_title": f"推送到其他门户：{article.get_admin_display_title()}",
        },
    )


@require_POST
def withdraw(request, share_id: int):
    share = get_object_or_404(ArticleShare.objects.select_related("article", "column"), pk=share_id)
    if not sharing.may_push(request.user, share.article):
        return forbidden(request, "只有能编辑原文的人员可以撤回推送。")
    label = sharing.withdraw(share, request.user)
    messages.success(request, f"已撤回推送到“{label}”的文章。")
    return redirect("cms_share:push", share.article_id)


class PushButton(PageMenuItem):
    """推送到其他门户, on an article's header and in the page listing's “more” menu."""

    label = "推送到其他门户"
    icon_name = "resubmit"
    url_name = "cms_share:push"

    def is_shown(self, user):
        page_class = self.page.specific_class
        is_article = page_class is not None and issubclass(page_class, ArticlePage)
        return is_article and self.page.permissions_for_user(user).can_edit()


# --- 接收审核 ----------------------------------------------------------------------------------------


class IncomingSharePolicy(BasePermissionPolicy):
    """Reviewers see and decide the pushes into their own portal's columns, nothing else: there is
    no adding, editing or deleting a push here (the sender pushes and withdraws from the article)."""

    def __init__(self):
        super().__init__(ArticleShare)

    def user_has_permission(self, user, action):
        return action in REVIEW_ACTIONS and bool(sharing.review_roots(user))

    def user_has_permission_for_instance(self, user, action, instance):
        return action in REVIEW_ACTIONS and sharing.may_review(user, instance.column)

    def instances_user_has_any_permission_for(self, user, actions):
        if REVIEW_ACTIONS & set(actions):
            return sharing.incoming(user)
        return ArticleShare.objects.none()

    def users_with_any_permission(self, actions):
        users = get_user_model().objects.filter(is_active=True)
        if not REVIEW_ACTIONS & set(actions):
            return users.none()
        return users.filter(
            Q(is_superuser=True)
            | Q(groups__page_permissions__permission__codename="publish_page")
            | Q(groups__reviewsteptask__isnull=False)
        ).distinct()


class ForbiddenMixin:
    """Answer a refused permission check with a 403 page instead of Wagtail's redirect."""

    forbidden_message = "只有接收门户的审核、终审和管理员人员可以处理推送。"

    def dispatch(self, request, *args, **kwargs):
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request, self.forbidden_message)


class QueueView(ForbiddenMixin, IndexView):
    """待接收 first, then the decided ones, newest first; only pushes into the reviewer's portal."""

    any_permission_required = ["review"]
    page_title = "接收审核"
    default_ordering = ["queue_rank", "-requested_at", "-pk"]

    def get_base_queryset(self):
        return (
            sharing.incoming(self.request.user)
            .select_related("article", "column", "requested_by", "reviewed_by")
            .annotate(
                queue_rank=Case(
                    When(status=Status.PENDING, then=Value(0)),
                    default=Value(1),
                    output_field=IntegerField(),
                )
            )
        )

    @cached_property
    def columns(self):
        directory = sharing.PortalDirectory()
        return [
            self._get_title_column("article"),
            Column("source", label="来自", accessor=lambda s: directory.name_at(s.article.path)),
            Column("target", label="目标栏目", accessor=lambda s: directory.label(s.column)),
            UserColumn("requested_by", label="推送人"),
            DateColumn("requested_at", label="推送时间", sort_key="requested_at"),
            StatusTagColumn(
                "get_status_display",
                label="状态",
                sort_key="status",
                primary=lambda s: s.status == Status.PENDING,
            ),
            UserColumn("reviewed_by", label="审核人"),
        ]

    def get_inspect_url(self, instance):
        return reverse("incoming_shares:inspect", args=[instance.pk])

    def get_list_more_buttons(self, instance):
        label = "审核" if instance.status == Status.PENDING else "查看"
        return [MenuItem(label, url=self.get_inspect_url(instance), icon_name="info-circle")]


class DecisionForm(forms.Form):
    reason = forms.CharField(
        label="拒绝理由",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "请填写拒绝理由，推送方会看到这条说明。"},
    )


class ReviewView(ForbiddenMixin, InspectView):
    """One push: the article, where it comes from and goes, what the receiving portal's
    sensitive-word check says, and the accept and decline forms."""

    any_permission_required = ["review"]
    template_name = "cms/admin/share_review.html"
    page_title = "接收审核"
    http_method_names = ["get", "head", "options"]
    decision = None  # "accept" / "decline": the POST-only views below

    def get_object(self, queryset=None):
        return get_object_or_404(
            ArticleShare.objects.select_related("article", "column", "requested_by"),
            pk=self.pk,
        )

    def dispatch(self, request, *args, **kwargs):
        if not self.permission_policy.user_has_permission_for_instance(
            request.user, "review", self.object
        ):
            return forbidden(request, self.forbidden_message)
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return self.object.article.title

    def get_fields(self):
        return []

    def post(self, request, *args, **kwargs):
        share = self.object
        if self.decision == "accept":
            try:
                sharing.accept(share, request.user, confirmed=request.POST.get("confirm") == "1")
            except sharing.SharingError as error:
                messages.error(request, error.message)
                share.refresh_from_db()  # someone else may have decided meanwhile
                return self.render_to_response(self.get_context_data(), status=409)
            messages.success(request, f"已接收“{share.article.title}”，已在本门户栏目中显示。")
            return redirect("incoming_shares:index")
        form = DecisionForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(decline_form=form), status=400)
        try:
            sharing.decline(share, request.user, form.cleaned_data["reason"])
        except sharing.SharingError as error:
            messages.error(request, error.message)
            share.refresh_from_db()
            return self.render_to_response(self.get_context_data(decline_form=form), status=409)
        messages.success(request, f"已拒绝“{share.article.title}”，推送方可看到拒绝理由。")
        return redirect("incoming_shares:index")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        share = self.object
        article = share.article.specific
        directory = sharing.PortalDirectory()
        decidable = share.status != Status.DECLINED and article.live
        verdict = sharing.acceptance_verdict(share) if decidable else None
        pending = {id(h) for h in verdict.pending} if verdict else set()
        context.update(
            {
                "share": share,
                "article": article,
                "source_portal": directory.name_at(article.path),
                "target_label": directory.label(share.column),
                "verdict": verdict,
                "hits": [
                    (hit, LEVEL_LABELS[hit.hit.level], id(hit) in pending)
                    for hit in (verdict.hits if verdict else [])
                ],
                "may_accept": share.status == Status.PENDING and article.live,
                "may_decline": share.status != Status.DECLINED,
                "decline_form": kwargs.get("decline_form") or DecisionForm(),
            }
        )
        return context


class AcceptView(ReviewView):
    http_method_names = ["post"]
    decision = "accept"


class DeclineView(ReviewView):
    http_method_names = ["post"]
    decision = "decline"


class IncomingShareViewSet(ModelViewSet):
    model = ArticleShare
    name = "incoming_shares"
    url_prefix = "incoming-shares"
    icon = "resubmit"
    menu_label = "接收审核"
    menu_order = 250
    add_to_admin_menu = True
    index_view_class = QueueView
    inspect_view_enabled = True
    inspect_view_class = ReviewView
    copy_view_enabled = False
    list_filter = ["status"]

    def get_urlpatterns(self):
        # Listing and review only: pushes are made and withdrawn from the article, never here.
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path("<int:pk>/", self.inspect_view, name="inspect"),
            path("accept/<int:pk>/", self.accept_view, name="accept"),
            path("decline/<int:pk>/", self.decline_view, name="decline"),
        ]

    @cached_property
    def accept_view(self):
        return self.construct_view(AcceptView, **self.get_inspect_view_kwargs())

    @cached_property
    def decline_view(self):
        return self.construct_view(DeclineView, **self.get_inspect_view_kwargs())

    def get_permissions_to_register(self):
        # Who reviews follows from the portal's groups (see cms.sharing), not from model rights.
        return Permission.objects.none()
