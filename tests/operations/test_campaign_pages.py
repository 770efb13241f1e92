"""Campaigns that close themselves on the pages too (issue 13): the cached home page lists an open
campaign; after midnight the periodic job makes the portal render afresh, without it, tells
static publishing which portals changed, and leaves the other portals' cache alone."""

from datetime import datetime, time, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from backend_bridge.models import SuggestionCampaign
from cms import signals

pytestmark = pytest.mark.django_db


def _home(client, host="nanning.localhost"):
    response = client.get("/", HTTP_HOST=host)
    assert response.status_code == 200
    return response


def _job() -> str:
    out = StringIO()
    call_command("periodic", "campaign-pages", "refresh_campaign_pages", stdout=out)
    return out.getvalue()


@pytest.fixture
def clock(monkeypatch):
    """Moves Django's clock to a given local moment (Asia/Shanghai)."""

    def move_to(moment: datetime):
        aware = timezone.make_aware(moment)
        monkeypatch.setattr(timezone, "now", lambda: aware)

    return move_to


def test_yesterdays_campaign_leaves_the_cached_home_page_after_the_midnight_job(
    client, portals, clock
):
    today = timezone.localdate()
    clock(datetime.combine(today, time(9, 0)))
    SuggestionCampaign.objects.create(
        portal=portals["nanning"],
        title="乡村振兴金点子",
        start_date=today - timedelta(days=5),
        end_date=today,
    )
    _job()  # today's run: the campaign is open and listed
    assert "乡村振兴金点子" in _home(client).content.decode()
    cached = _home(client)
    assert cached["X-Page-Cache"] == "hit" and "乡村振兴金点子" in cached.content.decode()
    _home(client, "liuzhou.localhost")  # another portal's home, cached too

    clock(datetime.combine(today + timedelta(days=1), time(0, 6)))
    # Nothing was saved: the cached page still shows the campaign that ended yesterday.
    assert "乡村振兴金点子" in _home(client).content.decode()
    received = []

    def receiver(sender, site_ids, **kwargs):
        received.append(site_ids)

    signals.portal_content_changed.connect(receiver)
    try:
        printed = _job()
    finally:
        signals.portal_content_changed.disconnect(receiver)
    assert f"已结束：{portals['nanning'].name}“乡村振兴金点子”" in printed
    assert "已刷新 1 个门户的页面" in printed
    assert received == [frozenset({portals["nanning"].site_id})]
    fresh = _home(client)
    assert fresh["X-Page-Cache"] == "miss" and "乡村振兴金点子" not in fresh.content.decode()
    # Only the portal concerned lost its cache.
    assert _home(client, "liuzhou.localhost")["X-Page-Cache"] == "hit"

    # A second run (another host's timer, the 0:35 repeat) finds nothing more to do.
    assert "页面无需刷新" in _job()
    assert _home(client)["X-Page-Cache"] == "hit"


def test_a_campaign_that_opens_today_appears_and_a_missed_night_is_caught_up(
    client, portals, clock
):
    today = timezone.localdate()
    clock(datetime.combine(today, time(0, 5)))
    _job()
    campaign = SuggestionCampaign.objects.create(
        portal=portals["liuzhou"],
        title="城市更新意见征集",
        start_date=today + timedelta(days=2),
        end_date=today + timedelta(days=30),
    )
    assert "城市更新意见征集" not in _home(client, "liuzhou.localhost").content.decode()
    # The timers did not run for two nights (the hosts were down); the third night's run
    # catches up with the campaign that opened meanwhile.
    clock(datetime.combine(today + timedelta(days=3), time(0, 5)))
    _home(client, "liuzhou.localhost")  # still the cached page, without the campaign
    printed = _job()
    assert f"已开始：{campaign.portal.name}“城市更新意见征集”" in printed
    assert "城市更新意见征集" in _home(client, "liuzhou.localhost").content.decode()
