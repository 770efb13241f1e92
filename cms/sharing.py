"""Pushing an article to another portal's column (推送) and that portal's review of it (接收审核).

A push is an action with its own row (:class:`~cms.models.ArticleShare`), never part of the
article's revisions: the sender asks, a reviewer of the receiving portal accepts or declines with
a reason, and only an accepted push shows the article in the receiving column (its list, its
home-page block, the shared route). The sender may withdraw a push at any time.

Who reviews a portal's incoming pushes is who reviews its own content: a member of a group of one
of the 三审 review steps of the workflow that governs the portal (审核, 终审, 管理员), or anyone
who may publish there directly. Plain editors, and every other portal's staff, may not.

Accepting checks the article against the receiving portal's own sensitive-word dictionaries
through the publication gate (``sensitive_words.gate``): block-level hits refuse it, review-level
hits need the reviewer's confirmation, which the gate records. An accepted article that is
published again with content the receiving portal's gate refuses goes back to 待接收.

Every push, withdrawal, acceptance and refusal is written to the article's history (Wagtail's
page log), so both portals can see who did what and when.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import GroupPagePermission, Page, Site, WorkflowPage, WorkflowTask

from cms.models import ArticlePage, ArticleShare, ColumnPage, TopicPage
from cms.workflow import ReviewStepTask
from sensitive_words import gate

Status = ArticleShare.Status

NOT_LIVE = "文章发布后才能推送到其他门户。请先完成三审发布。"

LOG_PUSH = "cms.share.push"
LOG_WITHDRAW = "cms.share.withdraw"
LOG_ACCEPT = "cms.share.accept"
LOG_DECLINE = "cms.share.decline"
LOG_REOPEN = "cms.share.reopen"


class SharingError(Exception):
    """What the user asked for cannot be done; the message (zh-hans) says why."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class AcceptanceRefused(SharingError):
    """The receiving portal's gate refuses the article (block-level hits)."""

    def __init__(self, verdict):
        self.verdict = verdict
        super().__init__(f"不能接收：{verdict.message()}")


class ConfirmationRequired(SharingError):
    """Review-level hits that nobody has confirmed on the receiving portal yet."""

    def __init__(self, verdict):
        self.verdict = verdict
        super().__init__(f"接收前须确认：{verdict.message()}请核对后勾选“我已逐条核对”再接收。")


# --- portals -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PortalInfo:
    root_path: str
    name: str
    code: str
    order: tuple = ()


class PortalDirectory:
    """The portals' roots, names and codes, read once, to label many pages without a query each."""

    def __init__(self):
        portals = []
        for site in Site.objects.select_related("root_page", "portal"):
            portal = getattr(site, "portal", None)
            portals.append(
                PortalInfo(
                    root_path=site.root_page.path,
                    name=portal.name if portal else site.site_name or site.hostname,
                    code=portal.code if portal else "",
                    order=(portal.sort_order if portal else 999, site.pk),
                )
            )
        # The deepest root wins, as Wagtail does for nested sites.
        self.portals = sorted(portals, key=lambda p: len(p.root_path), reverse=True)

    def at(self, path: str) -> PortalInfo | None:
        for info in self.portals:
            if path.startswith(info.root_path):
                return info
        return None

    def name_at(self, path: str) -> str:
        info = self.at(path)
        return info.name if info else ""

    @cached_property
    def _section_titles(self) -> dict[str, str]:
        return dict(
            Page.objects.type(ColumnPage, TopicPage)
            .filter(depth__gt=2)
            .values_list("path", "title")
        )

    def label(self, column: Page) -> str:
        """“柳州市信访局 › 工作动态”: the column with its portal's name and its parent sections."""
        info = self.at(column.path)
        if info is None:
            return column.title
        ends = range(len(info.root_path) + Page.steplen, len(column.path), Page.steplen)
        parents = [self._section_titles.get(column.path[:end]) for end in ends]
        return " › ".join([info.name, *(t for t in parents if t), column.title])


def column_label(column: Page) -> str:
    return PortalDirectory().label(column)


# --- who may -------------------------------------------------------------------------------------


def may_push(user, article: ArticlePage) -> bool:
    """Whoever may edit the article may push it (and withdraw its pushes)."""
    return article.permissions_for_user(user).can_edit()


def review_roots(user) -> set[str]:
    """Tree paths under which ``user`` reviews incoming pushes (接收审核).

    Kept on the user object for the rest of the request, as Django keeps its permission caches:
    one admin screen asks several times (menu, permission checks, the queue's query).
    """
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_share_review_roots", None)
    if cached is None:
        cached = user._share_review_roots = _review_roots(user)
    return cached


def _review_roots(user) -> set[str]:
    if user.is_superuser:
        return {Page.get_first_root_node().path}
    publishers = GroupPagePermission.objects.filter(
        group__user=user, permission__codename="publish_page"
    ).values_list("page__path", flat=True)
    review_workflows = WorkflowTask.objects.filter(
        workflow__active=True,
        task__active=True,
        task__in=ReviewStepTask.objects.filter(groups__user=user).values("pk"),
    ).values("workflow_id")
    reviewers = WorkflowPage.objects.filter(workflow_id__in=review_workflows).values_list(
        "page__path", flat=True
    )
    return set(publishers) | set(reviewers)


def _under(roots: set[str], path: str) -> bool:
    return any(path.startswith(root) for root in roots)


def may_review(user, column: Page) -> bool:
    """May ``user`` accept or decline pushes into ``column``?"""
    return _under(review_roots(user), column.path)


def incoming(user):
    """The pushes into columns whose portal ``user`` reviews, pending or decided."""
    roots = review_roots(user)
    if not roots:
        return ArticleShare.objects.none()
    where = Q()
    for root in roots:
        where |= Q(column__path__startswith=root)
    return ArticleShare.objects.filter(where)


# --- targets -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    column_id: int
    label: str  # 柳州市信访局 › 工作动态


def target_columns(article: ArticlePage) -> list[tuple[str, list[Target]]]:
    """Live, public columns of every other portal, grouped by portal in the portals' order, each
    labelled with its portal's name; a column under an unpublished parent is not offered."""
    directory = PortalDirectory()
    own = directory.at(article.path)
    titles = dict(
        Page.objects.live()
        .public()
        .type(ColumnPage, TopicPage)
        .filter(depth__gt=2)
        .values_list("path", "title")
    )
    columns = ColumnPage.objects.live().public().filter(depth__gt=2).values_list("path", "pk")
    grouped: dict[PortalInfo, list[Target]] = {}
    for path, pk in sorted(columns):
        portal = directory.at(path)
        if portal is None or portal == own:
            continue
        # Every section between the portal's home and the column must be live, or nobody reads it.
        prefixes = range(len(portal.root_path) + Page.steplen, len(path) + 1, Page.steplen)
        chain = [titles.get(path[:end]) for end in prefixes]
        if None in chain:
            continue
        grouped.setdefault(portal, []).append(Target(pk, " › ".join([portal.name, *chain])))
    return [(portal.name, grouped[portal]) for portal in sorted(grouped, key=lambda p: p.order)]


def shares_of(article: ArticlePage):
    """Every push of the article, with who asked and who decided."""
    return (
        ArticleShare.objects.filter(article=article)
        .select_related("column", "requested_by", "reviewed_by")
        .order_by("-requested_at", "-pk")
    )


# --- actions -------------------------------------------------------------------------------------


def _log(share: ArticleShare, action: str, user, label: str, **data):
    log(
        instance=share.article,
        action=action,
        user=user,
        data={"column_id": share.column_id, "column": label, **data},
    )


def push(article: ArticlePage, column_ids, user) -> list[ArticleShare]:
    """Ask the portals of ``column_ids`` to show the article; returns the pushes now pending.

    A column already holding a pending or accepted push of the article is left as it is; a
    declined one is asked again (the earlier refusal stays in the article's history).
    """
    if not article.live:
        raise SharingError(NOT_LIVE)
    wanted = {int(pk) for pk in column_ids}
    if not wanted:
        raise SharingError("请至少选择一个目标栏目。")
    labels = {t.column_id: t.label for _, targets in target_columns(article) for t in targets}
    if wanted - set(labels):
        raise SharingError("所选栏目不能作为推送目标：只能推送到其他门户已发布的栏目。")
    now = timezone.now()
    pushed = []
    with transaction.atomic():
        existing = {s.column_id: s for s in ArticleShare.objects.filter(article=article)}
        for column_id in sorted(wanted):
            share = existing.get(column_id)
            if share is not None and share.status != Status.DECLINED:
                continue
            share = share or ArticleShare(article=article, column_id=column_id)
            share.status = Status.PENDING
            share.requested_by = user
            share.requested_at = now
            share.reviewed_by = None
            share.reviewed_at = None
            share.decline_reason = ""
            share.save()
            _log(share, LOG_PUSH, user, labels[column_id])
            pushed.append(share)
    return pushed


def withdraw(share: ArticleShare, user) -> str:
    """The sender takes the push back: it leaves the receiving column at once. Returns the
    column's label for the message."""
    label = column_label(share.column)
    with transaction.atomic():
        _log(share, LOG_WITHDRAW, user, label, status=share.get_status_display())
        share.delete()
    return label


def acceptance_verdict(share: ArticleShare):
    """What the receiving portal's gate says about showing the article there."""
    return gate.assess(share.article.specific, site=gate.site_code_at(share.column.path))


def _locked(share: ArticleShare) -> ArticleShare:
    return (
        ArticleShare.objects.select_for_update()
        .select_related("article", "column")
        .get(pk=share.pk)
    )


def accept(share: ArticleShare, user, *, confirmed: bool = False):
    """Show the article in the receiving column; returns the gate's verdict.

    Raises :class:`AcceptanceRefused` when the receiving portal's dictionaries block it and
    :class:`ConfirmationRequired` when review-level hits are unconfirmed and ``confirmed`` is
    false; with ``confirmed`` those hits are recorded as confirmed by ``user`` on that portal.
    """
    with transaction.atomic():
        share = _locked(share)
        if share.status != Status.PENDING:
            raise SharingError(f"该推送{share.get_status_display()}，不能再接收。")
        article = share.article.specific
        if not article.live:
            raise SharingError("原文已撤下，不能接收。")
        verdict = acceptance_verdict(share)
        if verdict.blocked:
            raise AcceptanceRefused(verdict)
        if verdict.pending:
            if not confirmed:
                raise ConfirmationRequired(verdict)
            gate.confirm(verdict, user, page=article, note="接收推送时确认")
        share.status = Status.ACCEPTED
        share.reviewed_by = user
        share.reviewed_at = timezone.now()
        share.decline_reason = ""
        share.save()
        _log(share, LOG_ACCEPT, user, column_label(share.column))
    return verdict


def decline(share: ArticleShare, user, reason: str) -> ArticleShare:
    """Refuse a pending push, or take back an accepted one, with the reason the sender will read."""
    reason = (reason or "").strip()
    if not reason:
        raise SharingError("请填写拒绝理由。")
    with transaction.atomic():
        share = _locked(share)
        if share.status == Status.DECLINED:
            raise SharingError("该推送已拒绝。")
        share.status = Status.DECLINED
        share.reviewed_by = user
        share.reviewed_at = timezone.now()
        share.decline_reason = reason
        share.save()
        _log(share, LOG_DECLINE, user, column_label(share.column), reason=reason)
    return share


def recheck_accepted(article: ArticlePage) -> list[ArticleShare]:
    """After the article is published again: accepted pushes whose portal's gate now refuses the
    new content go back to 待接收, so that portal's reviewers decide on what is now shown."""
    reopened = []
    shares = list(ArticleShare.objects.accepted().filter(article=article).select_related("column"))
    for share in shares:
        verdict = gate.assess(article, site=gate.site_code_at(share.column.path))
        if verdict.ok:
            continue
        share.status = Status.PENDING
        share.reviewed_by = None
        share.reviewed_at = None
        share.save()
        _log(share, LOG_REOPEN, None, column_label(share.column), reason=verdict.message())
        reopened.append(share)
    return reopened
