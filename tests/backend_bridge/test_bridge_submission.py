"""Accepting petitions: validation, SMS code, screening, duplicates, the green channel, outbox."""

import pytest

from backend_bridge.models import Channel, OutboxItem, Priority, StatusEvent, Submission
from backend_bridge.services.errors import InvalidInput
from backend_bridge.services.submission import (
    QUERY_CODE_LENGTH,
    normalize_query_code,
    query_code_index,
)

pytestmark = pytest.mark.django_db


def test_submission_is_stored_with_outbox_item_and_first_timeline_entry(submit):
    accepted = submit()
    submission = accepted.submission
    assert submission.status == "submitted"
    assert submission.channel == Channel.ONLINE and submission.priority == Priority.NORMAL
    item = OutboxItem.objects.get(submission=submission)
    assert (item.kind, item.sequence, item.state) == ("submit", 1, "pending")
    assert item.idempotency_key == f"submission-{submission.reference}"
    assert StatusEvent.objects.filter(submission=submission, status="submitted").count() == 1


def test_query_code_is_long_random_and_stored_only_as_index(submit):
    first, second = (
        submit().query_code,
        submit(content="另外一件事情：村里的路灯坏了很久，晚上出行非常不方便。").query_code,
    )
    code = normalize_query_code(first)
    assert len(code) == QUERY_CODE_LENGTH and first != second
    submission = Submission.objects.get(query_code_index=query_code_index(first.lower()))
    assert code not in str(submission.__dict__)


def test_green_channel_petition_carries_flag_and_priority(submit):
    submission = submit(channel=Channel.PINGLU_CANAL).submission
    assert submission.channel == "pinglu_canal"
    assert submission.priority == "high"


def test_every_field_error_is_reported_at_once_and_nothing_is_stored(submit):
    with pytest.raises(InvalidInput) as info:
        submit(
            title="",
            id_number="450103199001011230",
            phone="12345",
            region_code="110000",
            petition_type="x",
        )
    fields = info.value.field_errors
    assert {"title", "id_number", "phone", "region_code", "petition_type"} <= set(fields)
    assert all(isinstance(m, str) and m for messages in fields.values() for m in messages)
    assert Submission.objects.count() == 0


def test_wrong_sms_code_is_refused_on_its_field(submit):
    with pytest.raises(InvalidInput) as info:
        submit(sms_code="000000")
    assert "sms_code" in info.value.field_errors
    assert Submission.objects.count() == 0


def test_sms_code_is_checked_for_the_submitted_phone(submit, sms_ok):
    submit(phone="+86 139-0013-9000")
    assert sms_ok[-1] == ("13900139000", "submit", "246810")


def test_hostile_text_is_kept_as_text(submit):
    submission = submit(
        title="<script>alert(1)</script>标题", content="内容<img src=x onerror=alert(1)>" * 3
    ).submission
    assert submission.title.startswith("<script>")


def test_sensitive_words_flag_for_moderation_but_do_not_reject(submit, monkeypatch):
    from backend_bridge.services import screening

    monkeypatch.setattr(
        screening,
        "screen",
        lambda text, code: screening.ScreenResult(True, [{"word": "某词", "level": "review"}]),
    )
    monkeypatch.setattr("backend_bridge.services.submission.screen", screening.screen)
    submission = submit().submission
    assert submission.needs_moderation
    assert submission.sensitive_hits[0]["word"] == "某词"


def test_screening_calls_the_sensitive_words_module_with_the_portal(submit, monkeypatch):
    seen = []
    from sensitive_words import services as sw

    real = sw.screen_text

    def spy(text, site=None):
        seen.append(site)
        return real(text, site)

    monkeypatch.setattr(sw, "screen_text", spy)
    submit()
    assert seen == ["nanning"]


def test_near_identical_resubmission_is_flagged_not_dropped(submit):
    first = submit().submission
    again = submit(content=first.content + "。").submission
    other = submit(
        content="完全不同的一件事：单位拖欠工资三个月，多次讨要无果，请求帮助。"
    ).submission
    assert again.duplicate_of == first
    assert other.duplicate_of is None
    assert Submission.objects.count() == 3


def test_near_duplicates_are_found_by_their_text_not_by_small_edits():
    from backend_bridge.services.submission import DUPLICATE_SIMILARITY, shingles, similarity

    text = "青秀区某小区门口道路一下雨就积水，已经持续半年，居民出行困难，请求尽快处理。" * 20
    edited = text.replace("半年", "大半年", 3) + "恳请领导重视。"
    unrelated = "单位拖欠工资三个月，多次讨要无果，请求帮助。" * 30
    assert similarity(shingles(text), shingles(edited)) >= DUPLICATE_SIMILARITY
    assert similarity(shingles(text), shingles(unrelated)) < 0.2
    assert similarity(shingles(""), shingles("")) == 1.0
