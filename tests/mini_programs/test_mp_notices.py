"""Subscribe messages: a reminder before a cutoff the diner asked for, and the notice of a
cancelled meal, sent from the outbox by ``mp_send_notices`` to the loopback WeChat."""

import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from mini_programs.models import Notice
from mini_programs.services.notices import send_due
from mini_programs.services.ordering import cancel_meal

pytestmark = pytest.mark.django_db


def send(now=None) -> str:
    out = io.StringIO()
    if now is None:
        call_command("mp_send_notices", stdout=out)
        return out.getvalue()
    return str(send_due(now=now))


def test_a_reminder_is_sent_when_due_and_not_before(sign_in, make_diner, make_meal, mp):
    user = sign_in(make_diner("陆洋"))
    meal = make_meal(cutoff_at=timezone.now() + timedelta(hours=2))
    response = user.post("/reminders", {"meal_id": meal.pk, "minutes_before": 30})
    assert response.status_code == 201
    send()
    assert mp.mp_messages == []
    send(now=timezone.now() + timedelta(hours=1, minutes=31))
    (message,) = mp.mp_messages
    assert message["touser"] == user.openid
    assert message["template_id"] == "TPL-mp-reminder"
    assert message["data"]["thing1"]["value"] == str(meal)
    assert Notice.objects.get().state == "sent"


def test_no_reminder_for_someone_who_has_ordered(sign_in, make_diner, make_meal, mp):
    user = sign_in(make_diner())
    meal = make_meal()
    user.post("/reminders", {"meal_id": meal.pk, "minutes_before": 5})
    user.post("/orders", {"meal_id": meal.pk})
    send(now=meal.cutoff_at - timedelta(minutes=1))
    assert mp.mp_messages == []
    assert Notice.objects.get().state == "skipped"


def test_a_cancelled_meal_notifies_everyone_who_ordered_it(sign_in, make_diner, make_meal, mp):
    meal = make_meal()
    users = [sign_in(make_diner()) for _ in range(3)]
    for user in users:
        user.post("/orders", {"meal_id": meal.pk})
    cancel_meal(meal, "食堂设备检修")
    assert "sent=3" in send()
    assert {m["touser"] for m in mp.mp_messages} == {u.openid for u in users}
    assert mp.mp_messages[0]["data"]["thing2"]["value"] == "食堂设备检修"


def test_a_refusal_is_final_and_recorded(sign_in, make_diner, make_meal, mp):
    user = sign_in(make_diner())
    meal = make_meal()
    user.post("/orders", {"meal_id": meal.pk})
    mp.refuse_notices(user.openid)
    cancel_meal(meal, "停电")
    send()
    notice = Notice.objects.get()
    assert notice.state == "failed" and "43101" in notice.last_error
    send()
    assert Notice.objects.get().attempts == 1


def test_busy_wechat_is_retried_later(sign_in, make_diner, make_meal, mp, settings):
    settings.WECHAT_BUSY_RETRIES = 0
    user = sign_in(make_diner())
    meal = make_meal()
    user.post("/orders", {"meal_id": meal.pk})
    cancel_meal(meal, "停电")
    mp.script_endpoint("message/subscribe/send", "busy")
    send()
    notice = Notice.objects.get()
    assert notice.state == "pending" and notice.next_attempt_at > timezone.now()
    send(now=timezone.now() + timedelta(minutes=5))
    assert Notice.objects.get().state == "sent"


def test_an_answer_that_never_came_is_not_sent_twice(sign_in, make_diner, make_meal, mp, settings):
    settings.WECHAT_TIMEOUT = 0.3
    mp.delay = 1.0
    user = sign_in(make_diner())
    meal = make_meal()
    user.post("/orders", {"meal_id": meal.pk})
    cancel_meal(meal, "停电")
    mp.script_endpoint("message/subscribe/send", "timeout")
    send()
    assert Notice.objects.get().state == "unknown"
    send()
    assert len(mp.calls("message/subscribe/send")) == 1


def test_reminders_need_a_configured_template(sign_in, make_diner, make_meal, settings):
    settings.WECHAT_MINI_PROGRAM = {**settings.WECHAT_MINI_PROGRAM, "templates": {}}
    user = sign_in(make_diner())
    response = user.post("/reminders", {"meal_id": make_meal().pk, "minutes_before": 30})
    assert response.status_code == 409 and "暂未开通" in response.json()["message"]


def test_the_access_token_comes_from_the_shared_token_store(sign_in, make_diner, make_meal, mp):
    from django.core.cache import cache

    meal = make_meal()
    for user in [sign_in(make_diner()) for _ in range(3)]:
        user.post("/orders", {"meal_id": meal.pk})
    cancel_meal(meal, "停电")
    send()
    assert len(mp.mp_messages) == 3
    assert len(mp.token_requests) == 1  # one stable token, shared by every call and process
    assert cache.get(f"wechat:{mp.app_id}_access_token") == mp.current_token


def test_a_cancellation_is_sent_by_the_task_right_after_the_commit(
    sign_in, make_diner, make_meal, mp, django_capture_on_commit_callbacks
):
    meal = make_meal()
    user = sign_in(make_diner())
    user.post("/orders", {"meal_id": meal.pk})
    with django_capture_on_commit_callbacks(execute=True):
        cancel_meal(meal, "停水")
    assert [m["touser"] for m in mp.mp_messages] == [user.openid]
    assert Notice.objects.get().state == "sent"
