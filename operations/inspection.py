"""System health inspection (系统健康巡检) against the national check indicators
(政府网站与政务新媒体检查指标).

``inspect(portals)`` runs every check and returns ``Finding`` rows; ``run_inspection`` stores one
``InspectionReport`` per portal and one for the group. Each finding says where it is, which
indicator it touches, why that matters and how to fix it. Thresholds are settings
(``INSPECTION_*``, see docs/operations.md).

What is checked:
- content: blank and stale columns, the home page, dead internal links (``cms.site_check``, the
  portal's own check); news columns after ``INSPECTION_NEWS_STALE_DAYS``, notice/policy columns
  after ``INSPECTION_NOTICE_STALE_DAYS``;
- every live page rendered as a visitor gets it: pages that fail or answer slower than
  ``INSPECTION_SLOW_MS``; the required elements on the home page (党政机关网站标识, 主办单位,
  contact, 网站标识码, ICP and 公安 filing numbers linked to their filing sites, site search);
  images without alt text;
- external links, checked with a timeout, a concurrency limit and a cache; when the network
  cannot be reached (``INSPECTION_NETWORK_PROBE_URL``) one finding says so instead of calling
  every link dead;
- leader messages and suggestions not answered (``backend_bridge``): a warning after
  ``INSPECTION_MESSAGE_WARN_DAYS``, serious after ``INSPECTION_MESSAGE_LIMIT_DAYS``;
- sensitive words and official expressions in live content (``sensitive_words.scan_pages``);
- WeChat accounts (政务新媒体): nothing published for ``INSPECTION_WECHAT_STALE_DAYS``; messages
  submitted through the account's H5 pages not answered;
- the system: database, cache, task queue backlog, the oldest waiting outbox item and channel
  delivery, disk space, the newest backup, certificates of the portals' hostnames.
"""

from __future__ import annotations

import logging
import re
import shutil
import socket
import ssl
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from django.conf import settings
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

logger = logging.getLogger(__name__)

SERIOUS, WARNING, NOTICE = "严重", "警告", "提示"
SEVERITIES = (SERIOUS, WARNING, NOTICE)


def setting(name: str, default):
    return getattr(settings, name, default)


@dataclass
class Finding:
    portal: str  # portal code; "" for the group (system, WeChat accounts without a portal)
    category: str  # 内容更新 / 链接可用性 / 必备要素 / 互动回应 / 内容安全 / 政务新媒体 / 系统运行
    indicator: str
    severity: str
    where: str
    url: str = ""
    detail: str = ""
    why: str = ""
    fix: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass
class Context:
    """What one run shares between checks: rendered pages and external links found."""

    external_links: dict[str, list[tuple[str, str, str]]] = field(default_factory=dict)
    network_reachable: bool | None = None


# --- content (columns, home page, dead internal links) ------------------------------------------

_WHY_STALE = "检查指标将长期未更新的栏目计为“不更新栏目”，首页栏目超过两周未更新为单项否决。"
NEWS_WORDS = ("动态", "新闻", "要闻", "工作")
NOTICE_WORDS = ("通知", "公告", "公示", "政策", "法规", "文件")


def content_findings(portal) -> list[Finding]:
    from cms.models import ColumnPage
    from cms.site_check import _latest_by_column, check_site

    site = portal.site
    findings = []
    for f in check_site(site):
        severity = SERIOUS if f.kind in ("首页不更新", "空白栏目") else WARNING
        why = {
            "空白栏目": "空白栏目是检查指标中的单项否决项。",
            "错链": "错链、断链影响用户使用，超过限值将被扣分。",
        }.get(f.kind, _WHY_STALE)
        fix = {
            "空白栏目": "在该栏目下发布内容，或在栏目设置中将其隐藏/删除。",
            "错链": "编辑该页面，修正或删除失效的链接。",
        }.get(f.kind, "及时发布新内容，或调整栏目的更新周期。")
        category = "链接可用性" if f.kind == "错链" else "内容更新"
        findings.append(
            Finding(portal.code, category, f.kind, severity, f.page_title, f.page_url, f.detail)
        )
        findings[-1].why, findings[-1].fix = why, fix
    # News and notice columns without their own cycle: the indicators' defaults.
    now = timezone.now()
    columns = [
        c
        for c in ColumnPage.objects.live().descendant_of(site.root_page)
        if not c.update_cycle_days
    ]
    latest = _latest_by_column(columns)
    limits = (
        (NEWS_WORDS, setting("INSPECTION_NEWS_STALE_DAYS", 14), "动态类栏目"),
        (NOTICE_WORDS, setting("INSPECTION_NOTICE_STALE_DAYS", 180), "通知公告、政策文件类栏目"),
    )
    for column in columns:
        newest = latest.get(column.pk)
        for words, days, label in limits:
            if newest and any(w in column.title for w in words) and now - newest > timedelta(days):
                findings.append(
                    Finding(
                        portal.code,
                        "内容更新",
                        "不更新栏目",
                        WARNING,
                        column.title,
                        column.get_url() or "",
                        f"{label}已 {(now - newest).days} 天未更新（限值 {days} 天）",
                        _WHY_STALE,
                        "发布新内容；如栏目已不再使用，请隐藏或归并。",
                    )
                )
                break
    return findings


# --- rendered pages: reachability, speed, required elements, alt text, external links -----------


class _PageParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self.images_without_alt: list[str] = []
        self.forms: list[str] = []
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self._href, self._text = attrs["href"], []
        elif tag == "img" and "alt" not in attrs:
            # alt="" marks a decorative picture (the emblem beside the portal's name): allowed.
            if attrs.get("role") != "presentation" and attrs.get("aria-hidden") != "true":
                self.images_without_alt.append(attrs.get("src", ""))
        elif tag == "form":
            self.forms.append(attrs.get("action", ""))

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links.append((self._href, "".join(self._text).strip()))
            self._href = None


REQUIRED_ELEMENTS = (
    ("党政机关网站标识", lambda html, links: any("conac.cn" in h for h, _ in links)),
    ("主办单位", lambda html, links: "主办单位" in html),
    ("联系方式", lambda html, links: "联系电话" in html or "联系地址" in html),
    ("网站标识码", lambda html, links: "网站标识码" in html),
    (
        "ICP备案编号",
        lambda html, links: any("beian.miit.gov.cn" in h and "ICP" in t for h, t in links),
    ),
    (
        "公安机关备案号",
        lambda html, links: any("beian.mps.gov.cn" in h and "公网安备" in t for h, t in links),
    ),
)
_FIX_ELEMENT = "在“设置 → 网站页脚与备案信息”中填写，保存后所有页面的页脚都会显示。"


def _host_of(portal) -> str:
    return portal.site.hostname


def page_findings(portal, context: Context) -> list[Finding]:
    from wagtail.models import Page

    findings: list[Finding] = []
    client = Client(raise_request_exception=False)
    host = _host_of(portal)
    slow_ms = setting("INSPECTION_SLOW_MS", 3000)
    pages = list(
        Page.objects.live()
        .descendant_of(portal.site.root_page, inclusive=True)
        .order_by("depth", "path")[: setting("INSPECTION_MAX_PAGES", 500)]
    )
    internal_hosts = {host, *setting("INSPECTION_INTERNAL_HOSTS", [])}
    for page in pages:
        url = page.get_url(None) or ""
        path = urlsplit(url).path or "/"
        started = time.monotonic()
        response = client.get(path, HTTP_HOST=host)
        elapsed_ms = (time.monotonic() - started) * 1000
        if response.status_code != 200:
            findings.append(
                Finding(
                    portal.code,
                    "链接可用性",
                    "页面无法访问",
                    SERIOUS,
                    page.title,
                    path,
                    f"访问返回 HTTP {response.status_code}",
                    "页面无法打开会被计为“不可用”，首页不可访问为单项否决。",
                    "检查页面是否仍应发布；如已撤下，请一并删除指向它的链接。",
                )
            )
            continue
        if elapsed_ms > slow_ms:
            findings.append(
                Finding(
                    portal.code,
                    "链接可用性",
                    "页面响应慢",
                    WARNING,
                    page.title,
                    path,
                    f"生成页面用时 {elapsed_ms:.0f} 毫秒（限值 {slow_ms} 毫秒）",
                    "页面打开过慢影响公众使用和检查评分。",
                    "减少页面上的大图和附件数量；请运维检查服务器负载。",
                )
            )
        parser = _PageParser()
        parser.feed(response.content.decode("utf-8", "replace"))
        html = response.content.decode("utf-8", "replace")
        if page.depth == portal.site.root_page.depth:
            for element, present in REQUIRED_ELEMENTS:
                if not present(html, parser.links):
                    findings.append(
                        Finding(
                            portal.code,
                            "必备要素",
                            f"缺少{element}",
                            SERIOUS,
                            page.title,
                            path,
                            f"首页页脚未找到“{element}”",
                            "检查指标要求网站所有页面展示该要素。",
                            _FIX_ELEMENT,
                        )
                    )
            if not any(action.rstrip("/").endswith("/search") for action in parser.forms):
                findings.append(
                    Finding(
                        portal.code,
                        "必备要素",
                        "缺少站内搜索",
                        SERIOUS,
                        page.title,
                        path,
                        "首页未找到站内搜索框",
                        "检查指标要求网站提供站内搜索。",
                        "请联系技术人员检查页面模板中的搜索框。",
                    )
                )
        if parser.images_without_alt:
            findings.append(
                Finding(
                    portal.code,
                    "必备要素",
                    "图片缺少替代文字",
                    NOTICE,
                    page.title,
                    path,
                    f"{len(parser.images_without_alt)} 张图片没有替代文字（alt）",
                    "无障碍要求图片有文字说明，读屏软件才能读出。",
                    "编辑页面，为图片填写“替代文字”。",
                )
            )
        for href, _text in parser.links:
            absolute = urljoin(f"http://{host}{path}", href)
            parts = urlsplit(absolute)
            if parts.scheme in ("http", "https") and parts.hostname not in internal_hosts:
                if not parts.hostname or parts.hostname.endswith(".localhost"):
                    continue
                context.external_links.setdefault(absolute, []).append(
                    (portal.code, page.title, path)
                )
    return findings


# --- external links --------------------------------------------------------------------------


def _network_reachable() -> bool:
    import requests

    probe = setting("INSPECTION_NETWORK_PROBE_URL", "https://www.gov.cn/")
    timeout = setting("INSPECTION_LINK_TIMEOUT", 5)
    # A host without DNS may hang in name resolution, which requests' timeout does not bound.
    pool = ThreadPoolExecutor(max_workers=1)
    future = pool.submit(requests.head, probe, timeout=timeout, allow_redirects=True)
    pool.shutdown(wait=False)
    try:
        future.result(timeout=timeout * 2)
    except (requests.RequestException, TimeoutError, OSError):
        return False
    return True


def _check_link(url: str) -> str | None:
    """None when the link works, else the reason (cached for INSPECTION_LINK_CACHE_SECONDS)."""
    import requests

    key = "inspection:link:" + url[:400]
    cached = cache.get(key)
    if cached is not None:
        return cached or None
    timeout = setting("INSPECTION_LINK_TIMEOUT", 5)
    reason = ""
    try:
        response = requests.head(url, timeout=timeout, allow_redirects=True)
        if response.status_code in (403, 405, 501):  # some servers refuse HEAD: ask with GET
            response = requests.get(url, timeout=timeout, allow_redirects=True, stream=True)
            response.close()
        if response.status_code >= 400:
            reason = f"HTTP {response.status_code}"
    except requests.Timeout:
        reason = f"{timeout} 秒内无响应"
    except requests.RequestException as exc:
        reason = f"无法连接（{type(exc).__name__}）"
    cache.set(key, reason, setting("INSPECTION_LINK_CACHE_SECONDS", 6 * 3600))
    return reason or None


def external_link_findings(context: Context) -> list[Finding]:
    links = context.external_links
    if not links:
        return []
    context.network_reachable = _network_reachable()
    if not context.network_reachable:
        portals = sorted({portal for refs in links.values() for portal, _, _ in refs})
        return [
            Finding(
                code,
                "链接可用性",
                "外部链接未检查",
                NOTICE,
                "外部链接",
                "",
                f"巡检服务器无法访问互联网，{len(links)} 个外部链接未检查（不是死链）",
                "外部链接需要在能访问互联网的主机上检查。",
                "请运维配置出网代理或在可出网的主机上运行巡检。",
            )
            for code in portals
        ]
    # Each check is bounded as a whole (name resolution included), so a run always ends.
    timeout = setting("INSPECTION_LINK_TIMEOUT", 5)
    workers = max(1, setting("INSPECTION_LINK_CONCURRENCY", 8))
    pool = ThreadPoolExecutor(max_workers=workers)
    futures = {url: pool.submit(_check_link, url) for url in links}
    pool.shutdown(wait=False)
    deadline = time.monotonic() + timeout * 3 * (1 + len(links) // workers)
    results = {}
    for url, future in futures.items():
        try:
            results[url] = future.result(timeout=max(0.1, deadline - time.monotonic()))
        except TimeoutError:
            results[url] = f"{timeout} 秒内无响应"
    findings = []
    for url, reason in results.items():
        if reason is None:
            continue
        for portal, title, path in links[url]:
            findings.append(
                Finding(
                    portal,
                    "链接可用性",
                    "外部链接失效",
                    WARNING,
                    title,
                    path,
                    f"{url}：{reason}",
                    "失效的外部链接计为错链。",
                    "编辑页面，更新或删除该链接。",
                )
            )
    return findings


# --- interaction: unanswered messages -----------------------------------------------------------


def message_findings(portal) -> list[Finding]:
    from backend_bridge.models import EVALUABLE_STATUSES, FINAL_STATUSES, Kind, Submission

    now = timezone.now()
    warn_days = setting("INSPECTION_MESSAGE_WARN_DAYS", 30)
    limit_days = setting("INSPECTION_MESSAGE_LIMIT_DAYS", 90)
    labels = {Kind.LEADER_MESSAGE: "领导信箱留言", Kind.SUGGESTION: "人民建议（咨询）"}
    waiting = (
        Submission.objects.filter(
            portal=portal,
            kind__in=list(labels),
            created_at__lt=now - timedelta(days=warn_days),
        )
        .exclude(status__in=[*EVALUABLE_STATUSES, *FINAL_STATUSES])
        .values_list("kind", "created_at", "reference")
    )
    findings = []
    for kind, created, reference in waiting:
        days = (now - created).days
        serious = days >= limit_days
        findings.append(
            Finding(
                portal.code,
                "互动回应",
                "留言超期未答复" if serious else "留言临近答复期限",
                SERIOUS if serious else WARNING,
                f"{labels[kind]} {str(reference)[:8]}",
                "",
                f"提交于 {timezone.localtime(created):%Y-%m-%d}，已 {days} 天未答复"
                f"（限值 {limit_days} 天）",
                "检查指标对超过 3 个月未回应的留言予以扣分乃至否决。",
                "请经办人员在“互动交流”中尽快答复或办结。",
            )
        )
    return findings


# --- content safety --------------------------------------------------------------------------


def sensitive_findings(portal) -> list[Finding]:
    from sensitive_words.services import scan_pages

    return [
        Finding(
            portal.code,
            "内容安全",
            "敏感词或不规范表述",
            SERIOUS if row["level"] in ("禁用", "严重") else WARNING,
            row["page_title"],
            row["page_url"],
            f"{row['field']}：“{row['matched_text']}”（{row['category']}，{row['level']}）",
            "严重错误表述属于单项否决项。",
            f"编辑页面修改{('，建议写法：' + row['suggestion']) if row['suggestion'] else ''}。",
        )
        for row in scan_pages(site=portal.code)
    ]


# --- WeChat accounts (政务新媒体) ---------------------------------------------------------------


def wechat_findings(portal_codes: set[str]) -> list[Finding]:
    from backend_bridge.models import EVALUABLE_STATUSES, FINAL_STATUSES
    from channels.models import Delivery, WeChatSubmission
    from channels.wechat.accounts import get_accounts

    now = timezone.now()
    stale_days = setting("INSPECTION_WECHAT_STALE_DAYS", 14)
    warn_days = setting("INSPECTION_MESSAGE_WARN_DAYS", 30)
    findings = []
    for account in get_accounts():
        code = account.portal if account.portal in portal_codes else ""
        last = (
            Delivery.objects.filter(
                channel=f"wechat-{account.code}", state=Delivery.State.PUBLISHED
            )
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        if last is None or now - last > timedelta(days=stale_days):
            since = f"最近一次发布于 {timezone.localtime(last):%Y-%m-%d}" if last else "从未发布"
            findings.append(
                Finding(
                    code,
                    "政务新媒体",
                    "公众号长期未更新",
                    SERIOUS,
                    account.name,
                    "",
                    f"{since}（限值 {stale_days} 天）",
                    "政务新媒体两周内无更新为单项否决。",
                    "通过“公众号推送”或栏目的渠道发布推送新内容。",
                )
            )
        waiting = (
            WeChatSubmission.objects.filter(
                account=account.code, submission__created_at__lt=now - timedelta(days=warn_days)
            )
            .exclude(submission__status__in=[*EVALUABLE_STATUSES, *FINAL_STATUSES])
            .count()
        )
        if waiting:
            findings.append(
                Finding(
                    code,
                    "政务新媒体",
                    "公众号留言未答复",
                    WARNING,
                    account.name,
                    "",
                    f"{waiting} 条经公众号提交的留言超过 {warn_days} 天未答复",
                    "政务新媒体对公众留言应及时回应。",
                    "请经办人员在“互动交流”中答复。",
                )
            )
    return findings


# --- the system --------------------------------------------------------------------------------


def _system(indicator, severity, detail, why, fix) -> Finding:
    return Finding("", "系统运行", indicator, severity, "系统", "", detail, why, fix)


def system_findings(portals) -> list[Finding]:
    from backend_bridge.models import OutboxItem
    from channels.models import Delivery

    from .health import readiness

    now = timezone.now()
    findings = []
    state = readiness()
    for name, code in state["checks"].items():
        if code != "ok":
            findings.append(
                _system(
                    "数据库不可用" if name == "database" else "缓存不可用",
                    SERIOUS,
                    f"检查结果：{code}",
                    "服务依赖不可用时网站无法正常访问或降级运行。",
                    "请运维按应急预案检查该服务。",
                )
            )
    backlog_minutes = setting("INSPECTION_BACKLOG_MINUTES", 30)
    try:
        from django_tasks_db.models import DBTaskResult

        pending = DBTaskResult.objects.filter(status="READY")
        oldest = pending.order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
        if oldest and now - oldest > timedelta(minutes=backlog_minutes):
            findings.append(
                _system(
                    "后台任务积压",
                    WARNING,
                    f"{pending.count()} 个任务排队，最早的已等待 {(now - oldest).seconds // 60} 分钟",
                    "任务积压会使搜索索引、媒体处理和渠道发布延迟。",
                    "检查 gxxf-tasks@ 服务是否在运行（systemctl status 'gxxf-tasks@*'）。",
                )
            )
    except Exception:  # noqa: BLE001 - no database task backend in this deployment
        logger.debug("no database task backend table", exc_info=True)
    for label, queryset, field_name, unit in (
        (
            "信访件投递积压",
            OutboxItem.objects.filter(state=OutboxItem.State.PENDING),
            "created_at",
            "gxxf-bridge-worker",
        ),
        (
            "渠道发布积压",
            Delivery.objects.filter(state__in=Delivery.OPEN_STATES),
            "created_at",
            "gxxf-channels-worker",
        ),
    ):
        oldest = queryset.order_by(field_name).values_list(field_name, flat=True).first()
        if oldest and now - oldest > timedelta(minutes=backlog_minutes):
            findings.append(
                _system(
                    label,
                    WARNING,
                    f"{queryset.count()} 条待发送，最早的创建于 {timezone.localtime(oldest):%m-%d %H:%M}",
                    "积压说明投递进程停止或对方系统不可用。",
                    f"检查 {unit} 服务和对方系统的连通性。",
                )
            )
    minimum = setting("INSPECTION_DISK_FREE_PERCENT", 10)
    for label, path in (("程序目录", settings.BASE_DIR), ("媒体目录", settings.MEDIA_ROOT)):
        try:
            usage = shutil.disk_usage(path)
        except OSError:
            continue
        free = usage.free * 100 / usage.total
        if free < minimum:
            findings.append(
                _system(
                    "磁盘空间不足",
                    SERIOUS,
                    f"{label}所在磁盘仅剩 {free:.1f}%（限值 {minimum}%）",
                    "磁盘写满会导致上传、备份和数据库失败。",
                    "清理旧备份和日志，或扩容磁盘。",
                )
            )
    backup_dir = setting("INSPECTION_BACKUP_DIR", "")
    if backup_dir:
        from .backup import age_of_newest

        age = age_of_newest(backup_dir)
        hours = setting("INSPECTION_BACKUP_MAX_AGE_HOURS", 36)
        if age is None or age > timedelta(hours=hours):
            findings.append(
                _system(
                    "备份过期",
                    SERIOUS,
                    "没有找到备份" if age is None else f"最新备份已是 {age.days} 天前",
                    "没有近期备份，系统损坏后无法恢复。",
                    "检查 gxxf-backup.timer，手动执行 manage.py backup。",
                )
            )
    if setting("PORTAL_SCHEME", "http") == "https":
        findings += certificate_findings(portals)
    findings += error_log_findings()
    return findings


def certificate_expiry(hostname: str, port: int = 443, timeout: float = 5.0) -> datetime:
    context = ssl.create_default_context()
    with (
        socket.create_connection((hostname, port), timeout=timeout) as raw,
        context.wrap_socket(raw, server_hostname=hostname) as tls,
    ):
        not_after = tls.getpeercert()["notAfter"]
    return datetime.fromtimestamp(ssl.cert_time_to_seconds(not_after), UTC)


def certificate_findings(portals) -> list[Finding]:
    days = setting("INSPECTION_CERT_WARN_DAYS", 30)
    findings = []
    for portal in portals:
        host = _host_of(portal)
        try:
            expires = certificate_expiry(host, setting("PORTAL_PORT", 443))
        except (OSError, ssl.SSLError, KeyError) as exc:
            findings.append(
                Finding(
                    portal.code,
                    "系统运行",
                    "证书无法检查",
                    WARNING,
                    host,
                    "",
                    f"无法取得 HTTPS 证书（{type(exc).__name__}）",
                    "证书无效时浏览器会拦截访问。",
                    "请运维检查 nginx 的证书配置。",
                )
            )
            continue
        left = (expires - datetime.now(UTC)).days
        if left < days:
            findings.append(
                Finding(
                    portal.code,
                    "系统运行",
                    "证书即将过期",
                    SERIOUS if left < 7 else WARNING,
                    host,
                    "",
                    f"证书将于 {expires:%Y-%m-%d} 过期（剩 {left} 天）",
                    "证书过期后浏览器会拦截访问。",
                    "续期证书并重新加载 nginx（systemctl reload nginx）。",
                )
            )
    return findings


_STATUS_RE = re.compile(r'" (\d{3}) ')


def error_log_findings() -> list[Finding]:
    """Share of 5xx answers in the tail of nginx's access log (INSPECTION_ACCESS_LOG)."""
    path = setting("INSPECTION_ACCESS_LOG", "")
    if not path:
        return []
    try:
        with open(path, "rb") as handle:
            handle.seek(0, 2)
            handle.seek(max(0, handle.tell() - 4 * 1024 * 1024))
            lines = handle.read().decode("utf-8", "replace").splitlines()[1:]
    except OSError:
        return []
    statuses = Counter(m.group(1)[0] for m in map(_STATUS_RE.search, lines) if m)
    total = sum(statuses.values())
    limit = setting("INSPECTION_ERROR_RATE_PERCENT", 1.0)
    if total and statuses["5"] * 100 / total > limit:
        return [
            _system(
                "错误率偏高",
                WARNING,
                f"最近 {total} 次访问中 {statuses['5']} 次服务器错误（{statuses['5'] * 100 / total:.2f}%）",
                "服务器错误说明系统部分功能不可用。",
                "查看 journalctl -u gxxf-web 和 nginx 错误日志。",
            )
        ]
    return []


# --- running -----------------------------------------------------------------------------------


def inspect(portals, *, pages: bool = True, links: bool = True) -> list[Finding]:
    """Every finding for ``portals`` (Portal objects) and the group."""
    context = Context()
    findings: list[Finding] = []
    for portal in portals:
        findings += content_findings(portal)
        if pages:
            findings += page_findings(portal, context)
        findings += message_findings(portal)
        findings += sensitive_findings(portal)
    if links:
        findings += external_link_findings(context)
    findings += wechat_findings({p.code for p in portals})
    findings += system_findings(portals)
    return findings


def summarize(findings: list[Finding]) -> dict:
    return {
        "total": len(findings),
        "by_severity": {s: sum(1 for f in findings if f.severity == s) for s in SEVERITIES},
        "by_category": dict(Counter(f.category for f in findings).most_common()),
    }
