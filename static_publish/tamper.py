"""Tamper detection of the published tree (网页防篡改): disk against manifest, restore, alert.

``verify`` reads every file under ``STATIC_PUBLISH_ROOT`` and compares it with the manifest's SM3
digest and size: a changed, missing or unexpected file is a finding. A finding is confirmed
under the manifest row's lock, so a page being republished at that moment is not mistaken for a
defacement. With ``repair`` the files are restored from the database (the HTML, and its .gz/.br
compressed again) and unexpected files are deleted.

Any finding is logged, written to the audit log and raises a :class:`TamperAlert`, shown in the
admin to superusers, system administrators and the affected portals' administrators until a run
finds nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from . import layout
from .layout import SUFFIXES
from .models import PublishedFile, TamperAlert
from .services import sm3

logger = logging.getLogger(__name__)

CHANGED, MISSING, UNEXPECTED = "changed", "missing", "unexpected"
PROBLEMS = {CHANGED: "内容被修改", MISSING: "文件缺失", UNEXPECTED: "多出的文件"}
# A temporary file younger than this is a write in progress, not a finding.
WRITE_GRACE_SECONDS = 30


@dataclass
class Finding:
    path: str
    problem: str
    repaired: bool = False

    @property
    def label(self) -> str:
        return PROBLEMS[self.problem]

    @property
    def hostname(self) -> str:
        parts = self.path.split("/")
        return parts[1] if parts[0] == layout.CARE_DIR and len(parts) > 1 else parts[0]


@dataclass
class Report:
    checked: int = 0
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    alert: TamperAlert | None = None

    @property
    def ok(self) -> bool:
        return not self.findings

    def text(self) -> str:
        lines = [f"{f.path}：{f.label}" + ("，已恢复" if f.repaired else "") for f in self.findings]
        counts = {p: sum(1 for f in self.findings if f.problem == p) for p in PROBLEMS}
        lines.append(
            f"检查 {self.checked} 个文件：修改 {counts[CHANGED]} 个，缺失 {counts[MISSING]} 个，"
            f"多出 {counts[UNEXPECTED]} 个；用时 {self.seconds:.2f} 秒"
        )
        return "\n".join(lines)


def _read(path):
    try:
        return path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None


def _problem(row: PublishedFile | None, data: bytes | None) -> str | None:
    if row is None:
        return UNEXPECTED if data is not None else None
    if data is None:
        return MISSING
    if len(data) != row.size or sm3(data) != row.digest:
        return CHANGED
    return None


def _writing(path) -> bool:
    """A temporary file of a write in progress (layout.write_atomic)."""
    if not path.name.startswith(layout.TEMP_PREFIX):
        return False
    try:
        age = time.time() - path.stat().st_mtime
    except FileNotFoundError:
        return True
    return 0 <= age < WRITE_GRACE_SECONDS


def restore_bytes(row: PublishedFile) -> bytes:
    """The bytes of a manifest row's file, from the HTML kept in the database."""
    if row.encoding == "":
        return bytes(row.content)
    html_path = row.path[: -len(SUFFIXES[row.encoding])]
    html = PublishedFile.objects.only("content").get(path=html_path)
    return layout.compress(bytes(html.content), row.encoding)


def _confirm(top, name: str, repair: bool) -> Finding | None:
    """Look again under the row's lock (a rebuild holds it while it writes); repair if asked."""
    path = top / name
    with transaction.atomic():
        row = PublishedFile.objects.select_for_update().filter(path=name).first()
        problem = _problem(row, _read(path))
        if problem is None:
            return None
        finding = Finding(name, problem)
        if repair:
            if problem == UNEXPECTED:
                layout.remove(path)
            else:
                data = restore_bytes(row)
                if sm3(data) != row.digest:
                    logger.error("static verify: %s cannot be restored to its digest", name)
                    return finding
                layout.write_atomic(path, data)
            finding.repaired = True
        return finding


def verify(*, repair: bool = False) -> Report:
    report = Report()
    top = layout.root()
    if top is None:
        return report
    began = time.monotonic()
    expected = dict(PublishedFile.objects.values_list("path", "digest"))
    sizes = dict(PublishedFile.objects.values_list("path", "size"))
    suspects: list[str] = []
    on_disk = set()
    if top.exists():
        for name in layout.walk(top):
            on_disk.add(name)
            report.checked += 1
            full = top / name
            if name not in expected:
                if not _writing(full):
                    suspects.append(name)
                continue
            data = _read(full)
            if data is None or len(data) != sizes[name] or sm3(data) != expected[name]:
                suspects.append(name)
    suspects.extend(sorted(set(expected) - on_disk))
    for name in suspects:
        finding = _confirm(top, name, repair)
        if finding is not None:
            report.findings.append(finding)
    report.seconds = time.monotonic() - began
    if report.findings:
        report.alert = _raise_alert(report, repair)
    else:
        TamperAlert.objects.filter(resolved_at__isnull=True).update(resolved_at=timezone.now())
    return report


def _raise_alert(report: Report, repaired: bool) -> TamperAlert:
    from audit.models import Category, Outcome
    from audit.services import record

    hostnames = sorted({f.hostname for f in report.findings})
    findings = [
        {"path": f.path, "problem": f.problem, "label": f.label, "repaired": f.repaired}
        for f in report.findings
    ]
    logger.warning(
        "static verify: %d file(s) differ from the manifest (%s): %s",
        len(findings),
        ", ".join(hostnames),
        "; ".join(f"{f['path']} {f['problem']}" for f in findings[:50]),
    )
    alert = TamperAlert.objects.create(
        hostnames=hostnames,
        findings=findings[:1000],
        repaired=repaired and all(f.repaired for f in report.findings),
    )
    record(
        Category.PUBLICATION,
        "static.tamper_detected",
        username="verify_static",
        target="、".join(hostnames)[:300],
        portal=_portal_code(hostnames),
        outcome=Outcome.FAILURE,
        details={"count": len(findings), "findings": findings[:200], "repaired": alert.repaired},
    )
    return alert


def _portal_code(hostnames: list[str]) -> str:
    from sites.models import Portal

    codes = sorted(
        Portal.objects.filter(site__hostname__in=hostnames).values_list("code", flat=True)
    )
    return codes[0] if len(codes) == 1 else ""


def alerts_for(user):
    """The open alerts that ``user`` should see: superusers and system administrators see all,
    a portal's administrators those about their portal."""
    from sites.models import Portal
    from sites.registry import ADMIN_ROLES, group_name

    open_alerts = list(TamperAlert.objects.filter(resolved_at__isnull=True)[:20])
    if not open_alerts or not user.is_authenticated:
        return []
    if user.is_superuser:
        return open_alerts
    groups = set(user.groups.values_list("name", flat=True))
    if ADMIN_ROLES["system"] in groups:
        return open_alerts
    hosts = {
        p.site.hostname.lower()
        for p in Portal.objects.select_related("site")
        if group_name(p.name, "admin") in groups
    }
    shown = []
    for alert in open_alerts:
        mine = [f for f in alert.findings if Finding(f["path"], f["problem"]).hostname in hosts]
        if mine:
            alert.visible_findings = mine
            shown.append(alert)
    return shown
