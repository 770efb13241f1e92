"""Static publishing: which files show a page, rebuilding them, the full rebuild and its check.

A change is turned into a :class:`Plan`, the exact set of documents (``layout.Target``) that show
what changed, computed from the state after the change:

- the page itself, and every URL the manifest says it was published under before (a moved page's
  old address, an unpublished or deleted page: re-rendered, they answer 404 or a redirect, and
  their files are removed);
- for an article, its column's list pages (every pagination page: they shift; list pages beyond
  the new last one are removed), its parents up to the home page (topic pages and home blocks
  list it), and for every portal that shows it as an accepted push (cms.sharing), the receiving
  column's list pages, the shared route (``ArticlePage.url_in_column``) and that column's parents
  up to that portal's home;
- for a column or topic, also everything under it (breadcrumbs name it) and its parent's lists;
  a column in the navigation (a child of the home page) rebuilds its whole portal in the
  background, since every page's navigation shows it;
- the portal's site map (/wzdt/).

The article template does not link neighbouring articles, so none are rebuilt for them.

Each document is rendered through the application's stack (``rendering``) in both trees
(standard and 关怀模式); a 200 HTML answer is written with its .gz and .br and recorded in the
manifest (``PublishedFile``) with SM3 digests; any other answer removes its files.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from django.core.paginator import Paginator
from django.db import IntegrityError, transaction
from django.utils import timezone
from wagtail.models import Page, Site

from . import layout
from .layout import SUFFIXES, Target
from .models import PublishedFile
from .rendering import render

logger = logging.getLogger(__name__)

SITE_MAP_PATH = "/wzdt/"
ACCESSIBILITY_PATH = "/wza/"


def sm3(data: bytes) -> str:
    digest = hashes.Hash(hashes.SM3())
    digest.update(data)
    return digest.finalize().hex()


# --- the portals' addresses -----------------------------------------------------------------


@dataclass(frozen=True)
class SiteInfo:
    site_id: int
    hostname: str
    root_path: str
    root_url_path: str
    depth: int


class Directory:
    """The portals' roots and host names, read once per rebuild."""

    def __init__(self):
        infos = [
            SiteInfo(
                site.pk,
                site.hostname.lower(),
                site.root_page.path,
                site.root_page.url_path,
                site.root_page.depth,
            )
            for site in Site.objects.select_related("root_page")
        ]
        # The deepest root wins, as Wagtail does for nested sites.
        self.sites = sorted(infos, key=lambda s: len(s.root_path), reverse=True)
        self.by_id = {s.site_id: s for s in infos}
        self.by_host = {s.hostname: s for s in infos}

    def site_at(self, tree_path: str) -> SiteInfo | None:
        for info in self.sites:
            if tree_path.startswith(info.root_path):
                return info
        return None

    def url_of(self, page) -> tuple[SiteInfo, str] | None:
        info = self.site_at(page.path)
        if info is None or not page.url_path.startswith(info.root_url_path):
            return None
        return info, "/" + page.url_path[len(info.root_url_path) :]


# --- plans ----------------------------------------------------------------------------------


@dataclass
class Plan:
    """What to render: documents (with the page each renders), the number of list pages of each
    column (list pages past it are removed), and the portals to rebuild whole in the background."""

    targets: dict[Target, int | None] = field(default_factory=dict)
    last_pages: dict[tuple[str, str], int] = field(default_factory=dict)
    portals: set[int] = field(default_factory=set)
    full_hosts: set[str] = field(default_factory=set)  # prune anything else of these hosts
    known_hosts: set[str] | None = None  # a full rebuild of all: prune the other hosts' files

    def add(self, target: Target, page_id: int | None = None) -> None:
        if target not in self.targets or self.targets[target] is None:
            self.targets[target] = page_id

    def file_names(self) -> set[str]:
        names = set()
        for target in self.targets:
            for care in (False, True):
                html = target.html_name(care)
                names.update(html + suffix for suffix in SUFFIXES.values())
        return names


def _column_count(column) -> int:
    """How many list pages the column has now (its first page even when empty)."""
    if not column.live:
        return 1
    return Paginator(column.articles(), column.page_size or 20).num_pages


class Planner:
    def __init__(self, directory: Directory | None = None):
        self.directory = directory or Directory()
        self.plan = Plan()

    # documents of one page
    def own(self, page, *, all_list_pages: bool = True) -> SiteInfo | None:
        """The page's document (every list page of a column)."""
        from cms.models import ColumnPage

        located = self.directory.url_of(page)
        if located is None:
            return None
        info, url_path = located
        self.plan.add(Target(info.hostname, url_path), page.pk)
        if isinstance(page, ColumnPage) and all_list_pages:
            count = _column_count(page)
            self.plan.last_pages[(info.hostname, url_path)] = count
            for number in range(2, count + 1):
                self.plan.add(Target(info.hostname, url_path, number), page.pk)
        return info

    def ancestors(self, page) -> None:
        """The page's parents up to the portal's home (their first page: what lists the page
        there, a topic's sections and the home page's blocks, is on it)."""
        for ancestor in page.get_ancestors().filter(depth__gt=1).specific():
            self.own(ancestor, all_list_pages=False)

    def site_map(self, info: SiteInfo | None) -> None:
        if info is not None:
            self.plan.add(Target(info.hostname, SITE_MAP_PATH))

    def shared_route(self, column, article_id: int) -> None:
        located = self.directory.url_of(column)
        if located is not None:
            info, url_path = located
            self.plan.add(Target(info.hostname, f"{url_path}shared/{article_id}/"), article_id)

    def receiving_column(self, column, article_id: int | None = None) -> None:
        """A column of another portal that shows (or showed) a pushed article."""
        self.own(column)
        self.ancestors(column)
        if article_id is not None:
            self.shared_route(column, article_id)

    def published_before(self, page_ids: Iterable[int]) -> None:
        """Every document the manifest holds for these pages: re-rendered, or removed when they
        no longer answer (moved, unpublished, deleted)."""
        rows = PublishedFile.objects.filter(
            page_id__in=list(page_ids), encoding="", care=False
        ).values_list("hostname", "url_path", "page_number", "page_id")
        for hostname, url_path, number, page_id in rows:
            self.plan.add(Target(hostname, url_path, number), page_id)

    # what a change touches
    def changed(self, page) -> None:
        from cms.models import ArticlePage, ArticleShare, ColumnPage, HomePage, TopicPage

        page = page.specific
        info = self.own(page)
        self.published_before([page.pk])
        if isinstance(page, ArticlePage):
            parent = page.get_parent().specific
            self.own(parent)
            self.ancestors(parent)
            for share in (
                ArticleShare.objects.accepted().filter(article=page).select_related("column")
            ):
                self.receiving_column(share.column.specific, page.pk)
        elif isinstance(page, ColumnPage | TopicPage):
            parent = page.get_parent().specific
            self.own(parent)
            self.ancestors(parent)
            descendants = list(page.get_descendants().specific())
            for descendant in descendants:
                self.own(descendant)
            self.published_before([d.pk for d in descendants])
            columns = [page.pk] + [d.pk for d in descendants if isinstance(d, ColumnPage)]
            for column_id, article_id in (
                ArticleShare.objects.accepted()
                .filter(column_id__in=columns)
                .values_list("column_id", "article_id")
            ):
                column = next((c for c in [page, *descendants] if c.pk == column_id), None)
                if column is not None:
                    self.shared_route(column, article_id)
            if info is not None and page.depth == info.depth + 1:
                # In the navigation of every page of the portal.
                self.plan.portals.add(info.site_id)
        elif isinstance(page, HomePage):
            pass
        self.site_map(info)

    def container(self, page) -> None:
        """A page whose list lost or gained a child (a move's old parent, a deleted page's)."""
        page = page.specific
        info = self.own(page)
        self.ancestors(page)
        self.site_map(info)

    def portal(self, info: SiteInfo) -> None:
        """Every anonymous page of a portal: the full rebuild."""
        from cms.models import ArticlePage, ArticleShare

        root = Page.objects.filter(path=info.root_path).first()
        if root is None:
            return
        pages = Page.objects.filter(path__startswith=info.root_path).live().public().specific()
        for page in pages:
            self.own(page)
        shares = ArticleShare.objects.accepted().filter(
            column__path__startswith=info.root_path,
            column__live=True,
            article__in=ArticlePage.objects.live().public().values("pk"),
        )
        for share in shares.select_related("column"):
            self.shared_route(share.column, share.article_id)
        self.site_map(info)
        self.plan.add(Target(info.hostname, ACCESSIBILITY_PATH))
        for status in layout.ERROR_STATUSES:
            self.plan.add(Target(info.hostname, f"/_errors/{status}/", error=status))
        self.plan.full_hosts.add(info.hostname)


def plan_for(
    *,
    changed: Iterable[int] = (),
    gone: Iterable[int] = (),
    containers: Iterable[int] = (),
    shares: Iterable[tuple[int, int]] = (),
    homes: Iterable[int] = (),
) -> Plan:
    """The plan of a batch of changes (page ids), as the signal receivers collect them."""
    from cms.models import ColumnPage

    planner = Planner()
    changed, containers = set(changed), set(containers)
    found = list(Page.objects.filter(pk__in=changed).specific())
    for page in found:
        planner.changed(page)
    for page in Page.objects.filter(pk__in=containers - changed).specific():
        planner.container(page)
    for page in Page.objects.filter(pk__in=set(homes)).specific():
        planner.site_map(planner.own(page))
    # Deleted pages (and changed ones deleted since): what the manifest holds for them.
    planner.published_before(set(gone) | (changed - {page.pk for page in found}))
    for column_id, article_id in shares:
        column = ColumnPage.objects.filter(pk=column_id).first()
        if column is not None:
            planner.receiving_column(column, article_id)
    return planner.plan


def plan_portals(site_ids: Iterable[int] | None = None) -> Plan:
    planner = Planner()
    wanted = None if site_ids is None else set(site_ids)
    for info in sorted(planner.directory.sites, key=lambda s: s.hostname):
        if wanted is None or info.site_id in wanted:
            planner.portal(info)
    if wanted is None:
        planner.plan.known_hosts = set(planner.directory.by_host)
    return planner.plan


# --- writing ----------------------------------------------------------------------------------


@dataclass
class Summary:
    written: list[str] = field(default_factory=list)
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    differing: list[str] = field(default_factory=list)  # --check
    seconds: float = 0.0
    documents: int = 0

    def as_dict(self) -> dict:
        return {
            "written": len(self.written),
            "unchanged": self.unchanged,
            "removed": len(self.removed),
            "failed": len(self.failed),
            "documents": self.documents,
            "seconds": round(self.seconds, 3),
        }

    def text(self) -> str:
        return (
            f"页面 {self.documents} 个；写入 {len(self.written)} 个文件，"
            f"未变 {self.unchanged} 个，删除 {len(self.removed)} 个"
            + (f"，渲染失败 {len(self.failed)} 个" if self.failed else "")
            + f"；用时 {self.seconds:.2f} 秒"
        )


def _names(target: Target, care: bool) -> dict[str, str]:
    html = target.html_name(care)
    return {encoding: html + suffix for encoding, suffix in SUFFIXES.items()}


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _locked_rows(names: Iterable[str]) -> dict[str, PublishedFile]:
    return {
        row.path: row
        for row in PublishedFile.objects.select_for_update()
        .filter(path__in=list(names))
        .defer("content")
    }


def store(
    target: Target,
    care: bool,
    html: bytes,
    page_id: int | None,
    started: datetime,
    summary: Summary,
) -> None:
    """Write one document's three files and their manifest rows, unless a render that started
    later has already written them. The rows are locked (and created) before any file is
    replaced, and the files are written before the rows' transaction commits: two workers on
    the same document write one after the other, the newer render last."""
    top = layout.root()
    names = _names(target, care)
    data = layout.variants(html)
    for attempt in (1, 2):
        try:
            with transaction.atomic():
                rows = _locked_rows(names.values())
                current = rows.get(names[""])
                if current is not None and current.rendered_at > started:
                    return  # a newer render of this document has been stored
                now = timezone.now()
                to_write = []
                for encoding, name in names.items():
                    body = data[encoding]
                    digest = sm3(body)
                    row = rows.get(name)
                    same = (
                        row is not None
                        and row.digest == digest
                        and row.page_id == page_id
                        and _read(top / name) == body
                    )
                    if same:
                        summary.unchanged += 1
                        PublishedFile.objects.filter(pk=row.pk).update(rendered_at=started)
                        continue
                    values = {
                        "hostname": target.hostname,
                        "url_path": target.url_path,
                        "page_number": target.page_number,
                        "care": care,
                        "encoding": encoding,
                        "page_id": page_id,
                        "digest": digest,
                        "size": len(body),
                        "built_at": now,
                        "rendered_at": started,
                        "content": body if encoding == "" else b"",
                    }
                    if row is None:
                        PublishedFile.objects.create(path=name, **values)
                    else:
                        PublishedFile.objects.filter(pk=row.pk).update(**values)
                    to_write.append((name, body))
                for name, body in to_write:
                    layout.write_atomic(top / name, body)
                    summary.written.append(name)
            return
        except IntegrityError:
            # Another worker created the rows at the same moment: lock them and decide again.
            if attempt == 2:
                raise


def remove_document(target: Target, care: bool, started: datetime | None, summary) -> None:
    """Remove a document's files of one tree and their manifest rows, unless a render that
    started after ``started`` wrote them."""
    top = layout.root()
    names = list(_names(target, care).values())
    with transaction.atomic():
        rows = _locked_rows(names)
        if started is not None and any(r.rendered_at > started for r in rows.values()):
            return
        PublishedFile.objects.filter(pk__in=[r.pk for r in rows.values()]).delete()
        for name in names:
            if layout.remove(top / name):
                summary.removed.append(name)


def _excess(plan: Plan) -> set[Target]:
    """List pages past a column's last page, and for a full rebuild every other document of
    the portal that the manifest holds."""
    excess = {
        t
        for t in plan.targets
        if t.page_number > plan.last_pages.get((t.hostname, t.url_path), t.page_number)
    }
    for (hostname, url_path), count in plan.last_pages.items():
        for number in (
            PublishedFile.objects.filter(
                hostname=hostname, url_path=url_path, page_number__gt=count, encoding="", care=False
            )
            .values_list("page_number", flat=True)
            .distinct()
        ):
            excess.add(Target(hostname, url_path, number))
    if plan.full_hosts or plan.known_hosts is not None:
        rows = PublishedFile.objects.filter(encoding="")
        if plan.known_hosts is None:
            rows = rows.filter(hostname__in=plan.full_hosts)
        rows = rows.values_list("hostname", "url_path", "page_number").distinct()
        for hostname, url_path, number in rows:
            error = 0
            if url_path.startswith("/_errors/"):
                error = int(url_path.strip("/").split("/")[-1] or 0)
            target = Target(hostname, url_path, number, error)
            if target not in plan.targets:
                excess.add(target)
    return excess


def execute(plan: Plan) -> Summary:
    """Render and write (or remove) every document of the plan."""
    summary = Summary()
    if not layout.enabled():
        return summary
    began = time.monotonic()
    excess = _excess(plan)
    for target in sorted(excess):
        for care in (False, True):
            remove_document(target, care, None, summary)
    for target, page_id in sorted(plan.targets.items()):
        if target in excess:
            continue
        summary.documents += 1
        for care in (False, True):
            started = timezone.now()
            try:
                rendered = render(target, care)
            except Exception:
                logger.exception("static publish: rendering %s failed", target)
                summary.failed.append(target.html_name(care))
                continue
            if rendered.publishable:
                store(target, care, rendered.body, page_id, started, summary)
            elif rendered.status >= 500 and not target.error:
                # Keep what is published; the next change or full rebuild tries again.
                logger.error("static publish: %s answered %s", target, rendered.status)
                summary.failed.append(target.html_name(care))
            else:
                remove_document(target, care, started, summary)
    summary.seconds = time.monotonic() - began
    if summary.written or summary.removed:
        logger.info("static publish: %s", summary.text())
    return summary


def check(plan: Plan) -> Summary:
    """What a full rebuild would change, without writing anything: files that differ from what
    would be rendered, are missing, or would be removed."""
    summary = Summary()
    top = layout.root()
    if top is None:
        return summary
    began = time.monotonic()
    excess = _excess(plan)
    for target in sorted(excess):
        for care in (False, True):
            for name in _names(target, care).values():
                if (top / name).exists():
                    summary.differing.append(f"{name}（应删除）")
    for target in sorted(plan.targets):
        if target in excess:
            continue
        summary.documents += 1
        for care in (False, True):
            rendered = render(target, care)
            names = _names(target, care)
            if not rendered.publishable:
                for name in names.values():
                    if (top / name).exists():
                        summary.differing.append(f"{name}（应删除）")
                continue
            for encoding, body in layout.variants(rendered.body).items():
                on_disk = _read(top / names[encoding])
                if on_disk is None:
                    summary.differing.append(f"{names[encoding]}（缺失）")
                elif on_disk != body:
                    summary.differing.append(f"{names[encoding]}（内容不同）")
                else:
                    summary.unchanged += 1
    summary.seconds = time.monotonic() - began
    return summary


def publish_all(site_ids: Iterable[int] | None = None) -> Summary:
    return execute(plan_portals(site_ids))
