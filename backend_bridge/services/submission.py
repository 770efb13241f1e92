"""Accepting a petition (网上信访 or the 平陆运河 green channel), and the storing step that
messages to leaders and suggestions (``services.board``, ``services.suggestions``) share.

Everything is checked before anything is stored (fields, ID number, phone, attachments by content,
then the SMS code); then the submission, its attachments, its first timeline entry and its outbox
item towards the case system are committed in one transaction. The citizen gets a long random
query code, which is shown once and stored only as a blind index.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from backend_bridge import crypto
from backend_bridge.models import (
    Attachment,
    Channel,
    OutboxItem,
    PetitionType,
    Priority,
    Source,
    StatusEvent,
    Submission,
)

from .attachments import check_files
from .errors import InvalidInput
from .identity import verify_writer
from .screening import screen

QUERY_CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: easy to read aloud
QUERY_CODE_LENGTH = 20  # 100 bits
DUPLICATE_WINDOW = timedelta(hours=72)
DUPLICATE_SIMILARITY = 0.85
SHINGLE_SIZE = 3

# Guangxi's prefecture-level cities: where the matter happened (the county is typed in).
REGIONS = {
    "450100": "南宁市",
    "450200": "柳州市",
    "450300": "桂林市",
    "450400": "梧州市",
    "450500": "北海市",
    "450600": "防城港市",
    "450700": "钦州市",
    "450800": "贵港市",
    "450900": "玉林市",
    "451000": "百色市",
    "451100": "贺州市",
    "451200": "河池市",
    "451300": "来宾市",
    "451400": "崇左市",
}

LIMITS = {
    "title": 100,
    "content": 5000,
    "address": 200,
    "respondent": 200,
    "county": 32,
    "name": 32,
}


@dataclass
class PetitionInput:
    """What the citizen typed; strings as received (the service cleans them)."""

    petition_type: str = ""
    title: str = ""
    content: str = ""
    region_code: str = ""
    county: str = ""
    address: str = ""
    respondent: str = ""
    name: str = ""
    id_number: str = ""
    phone: str = ""
    sms_code: str = ""
    files: list = field(default_factory=list)


@dataclass
class Accepted:
    submission: Submission
    query_code: str
    # Whether the query code went out by SMS (None until receipts.text_query_code is called).
    sms_sent: bool | None = None


def new_query_code() -> str:
    return "".join(secrets.choice(QUERY_CODE_ALPHABET) for _ in range(QUERY_CODE_LENGTH))


def normalize_query_code(value: str) -> str:
    return "".join(ch for ch in (value or "").upper() if ch.isalnum())


def format_query_code(code: str) -> str:
    return "-".join(code[i : i + 5] for i in range(0, len(code), 5))


def query_code_index(code: str) -> str:
    return crypto.blind_index(normalize_query_code(code), "query_code")


def query_code_indexes(code: str) -> list[str]:
    """The code's index under every readable index key: a query code is never stored, so its
    index cannot be re-keyed; it keeps its key version until that key is retired."""
    return crypto.blind_indexes(normalize_query_code(code), "query_code")


def _clean_text(value) -> str:
    text = str(value or "").replace("\x00", "")
    return "".join(ch for ch in text if ch in "\n\t" or ch.isprintable()).strip()


def clean_fields(data: PetitionInput) -> dict:
    """Cleaned fields, or ``InvalidInput`` with every field's errors at once."""
    from backend_bridge.idcard import validate_id_number, validate_mobile

    errors: dict[str, list[str]] = {}
    cleaned = {
        key: _clean_text(getattr(data, key))
        for key in ("petition_type", "title", "content", "region_code", "county", "address")
        + ("respondent", "name")
    }
    if cleaned["petition_type"] not in PetitionType.values:
        errors["petition_type"] = ["请选择信访类型。"]
    required = {"title": "标题", "content": "信访事项", "name": "姓名", "county": "发生地（区县）"}
    for key, label in required.items():
        if not cleaned[key]:
            errors.setdefault(key, []).append(f"请填写{label}。")
    for key, limit in LIMITS.items():
        if len(cleaned[key]) > limit:
            errors.setdefault(key, []).append(f"不能超过 {limit} 个字。")
    if cleaned["content"] and len(cleaned["content"]) < 10:
        errors.setdefault("content", []).append("请把事项写清楚，至少 10 个字。")
    if cleaned["region_code"] not in REGIONS:
        errors["region_code"] = ["请选择事项发生地所在的市。"]
    try:
        cleaned["id_number"] = validate_id_number(data.id_number)
    except ValidationError as exc:
        errors["id_number"] = list(exc.messages)
    try:
        cleaned["phone"] = validate_mobile(data.phone)
    except ValidationError as exc:
        errors["phone"] = list(exc.messages)
    if errors:
        raise InvalidInput(errors)
    return cleaned


SMS_CODE_MISSING = (
    "请填写短信验证码：先填写图形验证码，再点“获取短信验证码”，把收到的6位数字填在这里。"
)


def missing_sms_code(data) -> dict[str, list[str]]:
    """The error of an SMS code left blank (a wrong one is found when it is checked)."""
    if str(getattr(data, "sms_code", "") or "").strip():
        return {}
    return {"sms_code": [SMS_CODE_MISSING]}


def clean_writer_and_text(data, *, content_label: str) -> tuple[dict, dict[str, list[str]]]:
    """Title, content and the writer (name, phone, optional ID number) of a leader message or a
    suggestion: (cleaned fields, field errors). The ID number is optional there: real name is
    the name plus a phone verified by SMS; when given, the ID number is checked like a petition's
    and becomes a second factor for lookup."""
    from backend_bridge.idcard import validate_id_number, validate_mobile

    errors: dict[str, list[str]] = {}
    cleaned = {key: _clean_text(getattr(data, key, "")) for key in ("title", "content", "name")}
    required = {"title": "标题", "content": content_label, "name": "姓名"}
    for key, label in required.items():
        if not cleaned[key]:
            errors.setdefault(key, []).append(f"请填写{label}。")
    for key in ("title", "content", "name"):
        if len(cleaned[key]) > LIMITS[key]:
            errors.setdefault(key, []).append(f"不能超过 {LIMITS[key]} 个字。")
    if cleaned["content"] and len(cleaned["content"]) < 10:
        errors.setdefault("content", []).append("请把内容写清楚，至少 10 个字。")
    cleaned["id_number"] = ""
    if _clean_text(getattr(data, "id_number", "")):
        try:
            cleaned["id_number"] = validate_id_number(data.id_number)
        except ValidationError as exc:
            errors["id_number"] = list(exc.messages)
    try:
        cleaned["phone"] = validate_mobile(getattr(data, "phone", ""))
    except ValidationError as exc:
        errors["phone"] = list(exc.messages)
    errors.update(missing_sms_code(data))
    return cleaned, errors


def shingles(text: str, size: int = SHINGLE_SIZE) -> frozenset[str]:
    """The text's overlapping ``size``-character pieces, blanks ignored."""
    compact = "".join(text.split())
    if len(compact) <= size:
        return frozenset([compact]) if compact else frozenset()
    return frozenset(compact[i : i + size] for i in range(len(compact) - size + 1))


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Dice's coefficient of two shingle sets: 1.0 for the same text, near 0 for unrelated ones.
    Linear in the texts' length (the quadratic SequenceMatcher took seconds on long petitions)."""
    if not a or not b:
        return float(a == b)
    return 2 * len(a & b) / (len(a) + len(b))


def find_duplicate(
    index: str | list[str], content: str, now, *, by: str = "id_index"
) -> Submission | None:
    """An earlier submission of the same person (by ID number, or by phone when there is no ID
    number) with near-identical text, in a short interval. ``index`` may list the person's
    indexes under every readable key (during a key rotation)."""
    if not index:
        return None
    indexes = [index] if isinstance(index, str) else list(index)
    recent = Submission.objects.filter(
        **{f"{by}__in": indexes}, created_at__gte=now - DUPLICATE_WINDOW
    ).order_by("created_at")[:20]
    mine = shingles(content)
    for earlier in recent:
        theirs = shingles(earlier.content)
        # Sizes far apart cannot reach the threshold: skip without intersecting.
        smaller, larger = sorted((len(mine), len(theirs)))
        if larger and 2 * smaller / (smaller + larger) < DUPLICATE_SIMILARITY:
            continue
        if similarity(mine, theirs) >= DUPLICATE_SIMILARITY:
            return earlier.duplicate_of or earlier
    return None


def submit_petition(
    portal,
    data: PetitionInput,
    *,
    channel: str = Channel.ONLINE,
    source: str = Source.PORTAL,
    ip: str = "",
) -> Accepted:
    """Validate, screen, encrypt and store a petition with its outbox item; return the query code.

    Raises ``InvalidInput`` (field errors in zh-hans) without storing anything.
    """
    # Every field's errors at once, attachments and a missing SMS code included, so that the
    # citizen corrects the form in one pass.
    errors: dict[str, list[str]] = {}
    cleaned = files = None
    try:
        cleaned = clean_fields(data)
    except InvalidInput as error:
        errors.update(error.field_errors)
    try:
        files = check_files(data.files)
    except InvalidInput as error:
        for key, messages in error.field_errors.items():
            errors.setdefault(key, []).extend(messages)
    errors.update(missing_sms_code(data))
    if errors:
        raise InvalidInput(errors)
    # The code is spent only once everything else is right, so a typo elsewhere does not cost
    # the citizen a new SMS; the real-name check needs the phone proven first.
    identity = verify_writer(
        cleaned["name"], cleaned["id_number"], cleaned["phone"], data.sms_code, ip=ip
    )
    return store_submission(
        portal,
        {
            "channel": channel,
            "priority": Priority.HIGH if channel == Channel.PINGLU_CANAL else Priority.NORMAL,
            "petition_type": cleaned["petition_type"],
            "title": cleaned["title"],
            "content": cleaned["content"],
            "region_code": cleaned["region_code"],
            "region_name": REGIONS[cleaned["region_code"]] + cleaned["county"],
            "address": cleaned["address"],
            "respondent": cleaned["respondent"],
        },
        name=cleaned["name"],
        id_number=cleaned["id_number"],
        phone=cleaned["phone"],
        source=source,
        files=files,
        screen_text="\n".join([cleaned["title"], cleaned["content"], cleaned["respondent"]]),
        first_note="信访事项已提交，等待受理。",
        identity_check=identity,
    )


def store_submission(
    portal,
    fields: dict,
    *,
    name: str,
    id_number: str,
    phone: str,
    source: str,
    screen_text: str,
    first_note: str,
    files=(),
    identity_check: str = "",
) -> Accepted:
    """Screen, encrypt and store an already validated submission of any kind, with its
    attachments, first timeline entry and outbox item, in one transaction."""
    screening = screen(screen_text, portal.code)
    now = timezone.now()
    id_index = crypto.blind_index(id_number, "id_number") if id_number else ""
    phone_index = crypto.blind_index(phone, "phone")
    if id_index:
        duplicate = find_duplicate(
            crypto.blind_indexes(id_number, "id_number"), fields["content"], now
        )
    else:
        duplicate = find_duplicate(
            crypto.blind_indexes(phone, "phone"), fields["content"], now, by="phone_index"
        )
    query_code = new_query_code()
    with transaction.atomic():
        submission = Submission.objects.create(
            portal=portal,
            source=source,
            **fields,
            name=name,
            id_number=id_number,
            phone=phone,
            id_index=id_index,
            phone_index=phone_index,
            query_code_index=query_code_index(query_code),
            query_code_key_version=crypto.key_versions("PII_INDEX_KEY")[0],
            identity_check=identity_check,
            needs_moderation=screening.needs_moderation,
            sensitive_hits=screening.hits,
            duplicate_of=duplicate,
            created_at=now,
        )
        for checked in files:
            attachment = Attachment(
                submission=submission,
                original_name=checked.name,
                content_type=checked.content_type,
                size=len(checked.content),
                sha256=checked.sha256,
            )
            extension = checked.name.rsplit(".", 1)[-1]
            attachment.file.save(
                f"{secrets.token_hex(16)}.{extension}", ContentFile(checked.content), save=False
            )
            attachment.save()
        StatusEvent.objects.create(
            submission=submission,
            status=submission.status,
            note=first_note,
            occurred_at=now,
            origin=StatusEvent.Origin.PORTAL,
        )
        OutboxItem.objects.create(
            submission=submission,
            kind=OutboxItem.Kind.SUBMIT,
            sequence=1,
            idempotency_key=submit_idempotency_key(submission),
            next_attempt_at=now,
        )
    return Accepted(submission=submission, query_code=format_query_code(query_code))


def submit_idempotency_key(submission: Submission) -> str:
    """One key per submission: every retry of its delivery carries the same one."""
    return f"submission-{submission.reference}"
