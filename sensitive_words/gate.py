"""The publication gate: nothing goes live, on any portal or channel, that the check refuses.

One question, asked wherever something is about to be seen by the public: *may this content be
published on this portal?* :func:`assess` answers it for a page (or a revision of one):

- a block-level hit (禁止发布) refuses it, whoever asks;
- a review-level hit (人工审核) refuses it until a reviewer has confirmed that very hit on that
  portal (:func:`confirm`, recorded as a :class:`~sensitive_words.models.Clearance` with who,
  when and on which revision); a confirmation covers the same words in the same context on the
  same portal, so an edit elsewhere in the page does not ask again, but new text does;
- replace-level hits and personal data are masked on output and never refuse.

Callers: the page model refuses to be saved live with an unpublishable revision (the backstop
under every path: 三审 completion, direct publication, scheduled publishing, revert, copy), the
admin page form refuses publish/submit/approve with the hits shown, the review steps re-check on
every start and approval, moves into another portal, the acceptance of an article pushed from
another portal, and every channel before it sends anything (:func:`require_publishable`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied

from .engine import BLOCK, LEVEL_LABELS, REVIEW

MAX_LISTED = 5


@dataclass
class Verdict:
    """What the check says about publishing one piece of content on one portal."""

    site: str
    hits: list = field(default_factory=list)  # every PageHit, in page order
    blocked: list = field(default_factory=list)  # block-level hits
    pending: list = field(default_factory=list)  # review-level hits nobody has confirmed here

    @property
    def ok(self) -> bool:
        return not self.blocked and not self.pending

    def message(self) -> str:
        """One sentence for the person who tried, listing what stops the publication."""
        if self.blocked:
            return (
                f"发现 {len(self.blocked)} 处禁止发布的敏感词，不能发布：{describe(self.blocked)}"
            )
        if self.pending:
            return (
                f"发现 {len(self.pending)} 处需人工审核的词语，须由审核人员确认后方可发布："
                f"{describe(self.pending)}"
            )
        return "未发现禁止发布或待确认的词语。"


class PublicationRefused(PermissionDenied):
    """Raised where content would go live although the gate refuses it."""

    def __init__(self, verdict: Verdict, what: str = ""):
        self.verdict = verdict
        super().__init__(f"{what}{verdict.message()}")


def describe(hits, limit: int = MAX_LISTED) -> str:
    """「word」 in field, …; with the total when more than ``limit`` are listed."""
    parts = [f"{h.label}中的「{h.hit.matched_text}」" for h in hits[:limit]]
    text = "；".join(parts)
    if len(hits) > limit:
        text += f" 等 {len(hits)} 处"
    return text


def hit_key(site: str, page_hit) -> str:
    """What a confirmation covers: this word, matched as this text, in this context, here."""
    h = page_hit.hit
    raw = "\x1f".join((site or "", h.word, h.matched_text, h.level, page_hit.context))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def site_code_at(path: str) -> str:
    """The portal code of the site whose root holds the tree ``path`` (also before a save)."""
    from wagtail.models import Site

    best = None
    for site in Site.objects.select_related("root_page"):
        root = site.root_page.path
        if path.startswith(root) and (best is None or len(root) > len(best.root_page.path)):
            best = site
    portal = getattr(best, "portal", None) if best else None
    return getattr(portal, "code", "") or ""


def site_code_of(obj) -> str:
    from . import services

    path = getattr(obj, "path", "")
    return site_code_at(path) if path else services.site_code_for(obj)


def assess(obj, site: str | None = None) -> Verdict:
    """The verdict on publishing ``obj`` (a page, or ``revision.as_object()``) on ``site``."""
    from . import services
    from .models import Clearance

    if site is None:
        site = site_code_of(obj)
    hits = services.check_page(obj, site=site)
    verdict = Verdict(site=site, hits=hits)
    review = []
    for h in hits:
        if h.hit.level == BLOCK:
            verdict.blocked.append(h)
        elif h.hit.level == REVIEW:
            review.append(h)
    if review:
        keys = {hit_key(site, h) for h in review}
        cleared = set(
            Clearance.objects.filter(site_code=site, key__in=keys).values_list("key", flat=True)
        )
        verdict.pending = [h for h in review if hit_key(site, h) not in cleared]
    return verdict


def confirm(verdict: Verdict, user, *, page=None, revision=None, note: str = "") -> int:
    """Record that ``user`` confirmed the pending review-level hits of ``verdict``."""
    from .models import Clearance

    if verdict.blocked:
        raise PublicationRefused(verdict, "禁止发布的词语不能确认放行。")
    created = 0
    seen = set()
    for h in verdict.pending:
        key = hit_key(verdict.site, h)
        if key in seen:
            continue
        seen.add(key)
        Clearance.objects.create(
            site_code=verdict.site,
            key=key,
            word=h.hit.word[:100],
            matched_text=h.hit.matched_text[:100],
            context=h.context[:300],
            field_label=h.label[:200],
            level=h.hit.level,
            page_id=getattr(page, "pk", None),
            revision_id=getattr(revision, "pk", None),
            confirmed_by=user if getattr(user, "is_authenticated", False) else None,
            note=note[:500],
        )
        created += 1
    verdict.pending = []
    return created


def require_publishable(obj, site: str | None = None, what: str = "") -> Verdict:
    """The verdict if ``obj`` may be published on ``site``; :class:`PublicationRefused` if not."""
    verdict = assess(obj, site)
    if not verdict.ok:
        raise PublicationRefused(verdict, what)
    return verdict


def hits_comment(verdict: Verdict) -> str:
    """A workflow comment listing what stops the revision, most severe first."""
    rows = verdict.blocked + verdict.pending
    lines = ["敏感词检查发现以下问题，请修改后重新提交："]
    for n, h in enumerate(rows, 1):
        line = f"{n}. {h.label}：{h.context}（{h.hit.category}，{LEVEL_LABELS[h.hit.level]}）"
        if h.hit.suggestion:
            line += f" 建议改为：{h.hit.suggestion}"
        lines.append(line)
    return "\n".join(lines)


# --- the backstop under every path to live ------------------------------------------------------


def check_going_live(page, update_fields=None) -> None:
    """Called by a portal page's ``save()``: refuse to store it live with content the gate refuses.

    A page goes live when it is saved with ``live`` set and a new live revision (publication,
    revert, scheduled publishing) or inserted live (copy with publication). Saves that do not
    change what is live (drafts, moves, tree bookkeeping) are not checked here.
    """
    if not page.live:
        return
    if update_fields is not None and not {"live", "live_revision"} & set(update_fields):
        return
    if page.pk is not None:
        from wagtail.models import Page

        before = Page.objects.filter(pk=page.pk).values_list("live", "live_revision_id").first()
        if before is not None and before == (True, page.live_revision_id):
            return
    require_publishable(page, what="页面未发布：")
