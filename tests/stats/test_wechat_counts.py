"""WeChat figures: follower counts as WeChat's user list reports them, and articles published."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from stats.models import FollowerSnapshot


@pytest.mark.django_db
def test_follower_counts_are_recorded_and_shown(client, staff, wechat_simulator, wechat_account):
    for _ in range(3):
        wechat_simulator.add_follower()
    followers = sum(1 for f in wechat_simulator.followers.values() if f.get("subscribe"))
    out = StringIO()
    call_command("stats_wechat_followers", stdout=out)
    assert f"关注用户 {followers} 人" in out.getvalue()
    snapshot = FollowerSnapshot.objects.get(account="gxxf")
    assert (snapshot.followers, snapshot.day) == (followers, timezone.localdate())
    wechat_simulator.add_follower()
    call_command("stats_wechat_followers", stdout=StringIO())  # same day: updated, not doubled
    assert FollowerSnapshot.objects.get(account="gxxf").followers == followers + 1
    client.force_login(staff("gx", "admin"))
    html = client.get("/admin/statistics/", {"portal": "gx"}).content.decode()
    assert "广西信访" in html and f"{followers + 1}（{timezone.localdate().isoformat()}）" in html


@pytest.mark.django_db
def test_an_unreachable_account_is_reported_and_the_command_fails(
    wechat_simulator, wechat_account, settings
):
    settings.WECHAT_API_BASE = "http://127.0.0.1:9"
    err = StringIO()
    with pytest.raises(SystemExit):
        call_command("stats_wechat_followers", stdout=StringIO(), stderr=err)
    assert "获取关注数失败" in err.getvalue()
    assert not FollowerSnapshot.objects.exists()
