"""The audit log's service layer: writing records into the HMAC-SM3 chain, verifying the chain,
searching, exporting (XLSX) and purging records older than the retention period.

The MAC key is ``AUDIT_HMAC_KEY`` (hex or text); when it is not set, a key is derived from
``SECRET_KEY`` so that the chain still cannot be recomputed by someone who only has the database.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone

from .context import current_request
from .models import AuditChain, AuditRecord, Category, Outcome

GENESIS_MAC = "0" * 64
MIN_RETENTION_DAYS = 183  # 等保 level 3: logs kept at least six months


def _key() -> bytes:
    raw = getattr(settings, "AUDIT_HMAC_KEY", "") or ""
    if raw:
        try:
            return bytes.fromhex(raw)
        except ValueError:
            return raw.encode()
    return _hmac_sm3(settings.SECRET_KEY.encode(), b"gxxf-audit-chain-key")


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


def _canonical(record: AuditRecord) -> bytes:
    created = record.created_at.astimezone(UTC).isoformat(timespec="microseconds")
    fields = [
        record.seq,
        created,
        record.user_id,
        record.username,
        record.ip,
        record.user_agent,
        record.category,
        record.action,
        record.target,
        record.portal,
        record.outcome,
        record.details,
    ]
    return json.dumps(fields, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def compute_mac(record: AuditRecord, prev_mac: str) -> str:
    return _hmac_sm3(_key(), prev_mac.encode() + b"\n" + _canonical(record)).hex()


def _client_ip(request) -> str:
    from backend_bridge.web import client_ip

    return client_ip(request)


def record(
    category: str,
    action: str,
    *,
    request=None,
    user=None,
    username: str | None = None,
    target: str = "",
    portal: str = "",
    outcome: str = Outcome.SUCCESS,
    details: dict | None = None,
) -> AuditRecord:
    """Append one record to the chain. Who and where default to the current request's."""
    request = request if request is not None else current_request()
    if user is None and request is not None:
        candidate = getattr(request, "user", None)
        if candidate is not None and getattr(candidate, "is_authenticated", False):
            user = candidate
    if username is None:
        username = user.get_username() if user is not None else ""
    ip = _client_ip(request) if request is not None else ""
    agent = request.META.get("HTTP_USER_AGENT", "")[:300] if request is not None else ""
    entry = AuditRecord(
        created_at=timezone.now(),
        user_id=getattr(user, "pk", None),
        username=(username or "")[:150],
        ip=ip,
        user_agent=agent,
        category=category,
        action=action[:64],
        target=str(target)[:300],
        portal=portal[:32],
        outcome=outcome,
        details=json.loads(json.dumps(details or {}, ensure_ascii=False, default=str)),
    )
    with transaction.atomic():
        # The head row is locked so that records written on several hosts form one chain.
        head = AuditChain.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head, _ = AuditChain.objects.get_or_create(pk=1)
            head = AuditChain.objects.select_for_update().get(pk=1)
        entry.seq = head.last_seq + 1
        entry.prev_mac = head.last_mac or head.anchor_mac or GENESIS_MAC
        entry.mac = compute_mac(entry, entry.prev_mac)
        entry.save()
        head.last_seq, head.last_mac = entry.seq, entry.mac
        head.save(update_fields=["last_seq", "last_mac"])
    return entry


# --- verification -----------------------------------------------------------------------------


@dataclass
class VerifyReport:
    checked: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify() -> VerifyReport:
    """Walk the chain from its anchor: every changed, removed or inserted record is a problem."""
    report = VerifyReport()
    head = AuditChain.objects.filter(pk=1).first() or AuditChain()
    expected_seq = head.anchor_seq + 1
    expected_prev = head.anchor_mac or GENESIS_MAC
    for entry in AuditRecord.objects.order_by("seq").iterator(chunk_size=2000):
        report.checked += 1
        if entry.seq < expected_seq:
            report.problems.append(f"记录 #{entry.seq} 序号重复或早于链起点（疑似插入）")
            continue
        if entry.seq > expected_seq:
            report.problems.append(
                f"缺少记录 #{expected_seq}–#{entry.seq - 1}（疑似被删除）"
                if entry.seq - 1 > expected_seq
                else f"缺少记录 #{expected_seq}（疑似被删除）"
            )
        if entry.prev_mac != expected_prev:
            report.problems.append(f"记录 #{entry.seq} 与上一条记录的链接断开（疑似插入或删除）")
        if entry.mac != compute_mac(entry, entry.prev_mac):
            report.problems.append(f"记录 #{entry.seq} 的校验值不符（内容被修改或伪造）")
        expected_seq, expected_prev = entry.seq + 1, entry.mac
    last_seq = expected_seq - 1
    if head.last_seq != last_seq or (head.last_seq and head.last_mac != expected_prev):
        if head.last_seq > last_seq:
            report.problems.append(
                f"链尾应为记录 #{head.last_seq}，实际为 #{last_seq}（最新记录被删除）"
            )
        else:
            report.problems.append(f"链尾记录 #{last_seq} 与链头登记不符（疑似插入或篡改）")
    return report


# --- retention --------------------------------------------------------------------------------


class RetentionError(ValueError):
    """Purging would remove records younger than the retention period."""


def retention_days() -> int:
    return max(
        int(getattr(settings, "AUDIT_RETENTION_DAYS", MIN_RETENTION_DAYS)), MIN_RETENTION_DAYS
    )


def purge_before(before: datetime, *, user=None) -> int:
    """Remove records older than ``before``; refused when ``before`` is within the retention
    period. The chain's anchor moves to the last removed record so that verification goes on."""
    limit = timezone.now() - timedelta(days=retention_days())
    if before > limit:
        raise RetentionError(
            f"审计记录至少保存 {retention_days()} 天：只能清理 {limit:%Y-%m-%d} 之前的记录"
        )
    with transaction.atomic():
        head, _ = AuditChain.objects.select_for_update().get_or_create(pk=1)
        old = AuditRecord.objects.filter(created_at__lt=before).order_by("seq")
        last = old.last()
        if last is None:
            return 0
        # Only a prefix of the chain can go: records are in time order by construction.
        doomed = AuditRecord.objects.filter(seq__lte=last.seq)
        count = doomed.count()
        head.anchor_seq, head.anchor_mac = last.seq, last.mac
        head.save(update_fields=["anchor_seq", "anchor_mac"])
        doomed._raw_delete(doomed.db)
    record(
        Category.AUDIT,
        "audit_purge",
        user=user,
        username=None if user else "system",
        target=f"{count} 条（{before:%Y-%m-%d} 之前）",
        details={"count": count, "before": before.isoformat(), "anchor_seq": last.seq},
    )
    return count


# --- search and export ------------------------------------------------------------------------


def search(params) -> QuerySet[AuditRecord]:
    """Records matching the screen's filters: q (user, IP, event, object), category, outcome,
    username, date_from, date_to (YYYY-MM-DD)."""
    queryset = AuditRecord.objects.all()
    q = (params.get("q") or "").strip()
    if q:
        queryset = queryset.filter(
            Q(username__icontains=q)
            | Q(ip__icontains=q)
            | Q(action__icontains=q)
            | Q(target__icontains=q)
            | Q(portal__iexact=q)
        )
    if params.get("category") in Category.values:
        queryset = queryset.filter(category=params["category"])
    if params.get("outcome") in Outcome.values:
        queryset = queryset.filter(outcome=params["outcome"])
    if (params.get("username") or "").strip():
        queryset = queryset.filter(username=params["username"].strip())
    for key, lookup in (
        ("date_from", "created_at__date__gte"),
        ("date_to", "created_at__date__lte"),
    ):
        value = (params.get(key) or "").strip()
        if value:
            try:
                day = datetime.strptime(value, "%Y-%m-%d").date()
            except ValueError:
                continue
            queryset = queryset.filter(**{lookup: day})
    return queryset.order_by("-seq")


EXPORT_HEADER = (
    "序号",
    "时间",
    "用户名",
    "IP 地址",
    "浏览器标识",
    "类别",
    "事件",
    "对象",
    "门户",
    "结果",
    "详情",
)
EXPORT_LIMIT = 100_000


def export_xlsx(queryset: QuerySet[AuditRecord]) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("审计记录")
    sheet.append(EXPORT_HEADER)
    categories, outcomes = dict(Category.choices), dict(Outcome.choices)
    for entry in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000):
        sheet.append(
            [
                entry.seq,
                timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S"),
                entry.username,
                entry.ip,
                entry.user_agent,
                categories.get(entry.category, entry.category),
                entry.action,
                _cell(entry.target),
                entry.portal,
                outcomes.get(entry.outcome, entry.outcome),
                _cell(json.dumps(entry.details, ensure_ascii=False)),
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _cell(value: str) -> str:
    # A leading = + - @ would make a spreadsheet run the text as a formula (CSV/XLSX injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
