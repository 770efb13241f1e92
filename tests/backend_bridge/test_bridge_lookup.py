"""Lookup with a second factor, lockout, time limits, evaluation once, follow-ups."""

from datetime import timedelta

import pytest
from django.utils import timezone

from backend_bridge.models import OutboxItem
from backend_bridge.services import citizen, status
from backend_bridge.services.errors import InvalidInput, LockedOut, LookupFailed, NotAllowed
from backend_bridge.services.limits import time_limits
from backend_bridge.services.lookup import lookup, submission_for_token

pytestmark = pytest.mark.django_db


def test_lookup_with_last_six_of_id_number(submit, id_number):
    accepted = submit()
    view = lookup(accepted.query_code, id_tail=id_number[-6:], ip="10.0.0.1")
    assert view.submission == accepted.submission
    assert [e.status for e in view.timeline] == ["submitted"]
    assert submission_for_token(view.access_token) == accepted.submission


def test_lookup_with_phone_and_sms_code(submit, sms_ok):
    accepted = submit()
    view = lookup(
        accepted.query_code.lower().replace("-", " "), phone="13800138000", sms_code="246810"
    )
    assert view.submission == accepted.submission
    assert sms_ok[-1] == ("13800138000", "lookup", "246810")


def test_wrong_factors_and_unknown_codes_get_the_same_answer(submit):
    accepted = submit()
    with pytest.raises(LookupFailed) as wrong:
        lookup(accepted.query_code, id_tail="000000", ip="10.0.0.2")
    with pytest.raises(LookupFailed) as unknown:
        lookup("ZZZZZ-ZZZZZ-ZZZZZ-ZZZZZ", id_tail="000000", ip="10.0.0.3")
    assert wrong.value.message.split("，")[0] == unknown.value.message.split("，")[0]
    with pytest.raises(LookupFailed):
        lookup(accepted.query_code, phone="13800138000", sms_code="999999")


def test_lookup_locks_out_after_repeated_wrong_second_factors(submit, id_number):
    accepted = submit()
    for _ in range(4):
        with pytest.raises(LookupFailed):
            lookup(accepted.query_code, id_tail="000000", ip="10.0.0.4")
    with pytest.raises(LockedOut) as locked:
        lookup(accepted.query_code, id_tail="000000", ip="10.0.0.5")
    assert locked.value.status == 429 and "分钟后再试" in locked.value.message
    # even the right answer is refused while locked
    with pytest.raises(LockedOut):
        lookup(accepted.query_code, id_tail=id_number[-6:], ip="10.0.0.6")


def test_missing_second_factor_is_a_field_error(submit):
    with pytest.raises(InvalidInput) as info:
        lookup(submit().query_code)
    assert "id_tail" in info.value.field_errors


def test_forged_access_token_is_refused():
    with pytest.raises(LookupFailed):
        submission_for_token("forged:token")


def test_time_limits_show_whether_they_are_met(submit):
    submission = submit().submission
    now = timezone.now()
    limits = time_limits(submission, now)
    assert limits[0].state == "pending"
    assert time_limits(submission, now + timedelta(days=16))[0].state == "overdue"
    status.record_event(
        submission, status="accepted", occurred_at=now + timedelta(days=3), origin="inbox"
    )
    status.record_event(
        submission,
        status="extended",
        occurred_at=now + timedelta(days=50),
        origin="inbox",
        extension_days=30,
    )
    submission.refresh_from_db()
    limits = time_limits(submission, now + timedelta(days=80))
    assert limits[0].state == "met"
    assert limits[1].state == "pending" and "延长30日" in limits[1].label
    status.record_event(
        submission,
        status="replied",
        occurred_at=now + timedelta(days=85),
        origin="inbox",
        reply="答复",
    )
    submission.refresh_from_db()
    limits = time_limits(submission, now + timedelta(days=90))
    assert [lim.state for lim in limits] == ["met", "met", "open"]
    assert time_limits(submission, now + timedelta(days=130))[2].state == "expired"


def test_evaluation_needs_a_reply_a_reason_when_dissatisfied_and_happens_once(submit):
    submission = submit().submission
    with pytest.raises(NotAllowed):
        citizen.evaluate(submission, "satisfied")
    status.record_event(submission, status="replied", origin="inbox", reply="已处理")
    with pytest.raises(InvalidInput) as info:
        citizen.evaluate(submission, "dissatisfied", "  ")
    assert "reason" in info.value.field_errors
    citizen.evaluate(submission, "dissatisfied", "问题没有解决")
    with pytest.raises(NotAllowed) as again:
        citizen.evaluate(submission, "satisfied")
    assert again.value.code == "already_evaluated"
    kinds = list(OutboxItem.objects.filter(submission=submission).values_list("kind", "sequence"))
    assert kinds == [("submit", 1), ("evaluation", 2)]


def test_follow_up_goes_to_the_outbox_until_the_case_is_closed(submit):
    submission = submit().submission
    citizen.add_follow_up(submission, "补充：积水处还有一处井盖缺失。")
    assert OutboxItem.objects.filter(submission=submission, kind="follow_up").count() == 1
    status.record_event(submission, status="closed", origin="inbox")
    with pytest.raises(NotAllowed):
        citizen.add_follow_up(submission, "再补充一点情况说明。")
