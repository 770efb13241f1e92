"""Page views and visitors are counted by the system itself, exactly, and nothing personal is kept."""

from datetime import timedelta
from io import StringIO

import pytest
from django.utils import timezone

from cms.factories import ArticlePageFactory
from stats.counting import flush
from stats.models import DailySalt, DailyVisitors, PageViewDaily, VisitorDigest

PHONE = "Mozilla/5.0 (Linux; Android 14) 手机浏览器"
DESKTOP = "Mozilla/5.0 (Windows NT 10.0) 台式机浏览器"


def host_of(portal):
    return portal.site.hostname


def get(client, portal, path, agent=PHONE, ip="203.0.113.7", **extra):
    return client.get(
        path, HTTP_HOST=host_of(portal), HTTP_USER_AGENT=agent, REMOTE_ADDR=ip, **extra
    )


@pytest.fixture
def article(column):
    return ArticlePageFactory(parent=column, title="统计用文章")


def views_of(portal):
    return {
        row.path: (row.views, row.page_id) for row in PageViewDaily.objects.filter(site=portal.site)
    }


@pytest.mark.django_db
def test_views_are_counted_exactly_including_cache_hits(client, portals, column, article):
    nanning = portals["nanning"]
    answers = [get(client, nanning, "/") for _ in range(3)]
    assert [r.headers.get("X-Page-Cache") for r in answers] == ["miss", "hit", "hit"]
    get(client, nanning, f"/{column.slug}/{article.slug}/")
    get(client, nanning, f"/{column.slug}/{article.slug}/", agent=DESKTOP, ip="198.51.100.9")
    get(client, nanning, f"/{column.slug}/?page=2")
    flush()
    views = views_of(nanning)
    assert views["/"] == (3, nanning.site.root_page_id)
    assert views[f"/{column.slug}/{article.slug}/"] == (2, article.pk)
    # A column's other list pages count for the column (query strings are not kept).
    assert views[f"/{column.slug}/"] == (1, column.pk)
    assert not PageViewDaily.objects.exclude(site=nanning.site).exists()
    today = timezone.localdate()
    assert VisitorDigest.objects.filter(site=nanning.site, day=today).count() == 2


@pytest.mark.django_db
def test_what_is_not_a_page_read_is_not_counted(client, portals, admin_user):
    nanning = portals["nanning"]
    get(client, nanning, "/no-such-page/")  # 404
    get(client, nanning, "/api/v2/pages/")
    get(client, nanning, "/static/cms/portal.css")
    client.post("/", HTTP_HOST=host_of(nanning))
    client.force_login(admin_user)
    get(client, nanning, "/admin/")
    flush()
    assert not PageViewDaily.objects.exists()
    assert not VisitorDigest.objects.exists()


@pytest.mark.django_db
def test_no_address_or_browser_is_stored(client, portals):
    nanning = portals["nanning"]
    get(client, nanning, "/", ip="203.0.113.77")
    flush()
    stored = [
        repr(list(model.objects.values()))
        for model in (PageViewDaily, VisitorDigest, DailySalt, DailyVisitors)
    ]
    assert all("203.0.113.77" not in text and "Android" not in text for text in stored)
    digest = VisitorDigest.objects.get()
    assert len(digest.digest) == 32 and "203" not in digest.digest


@pytest.mark.django_db
def test_the_same_visitor_counts_once_a_day_and_cannot_be_followed_to_the_next(client, portals):
    nanning = portals["nanning"]
    for _ in range(3):
        get(client, nanning, "/")
    flush()
    today = timezone.localdate()
    first = VisitorDigest.objects.get(day=today).digest
    # The next day: the same address and browser get another digest under another salt.
    VisitorDigest.objects.update(day=today - timedelta(days=1))
    DailySalt.objects.update(day=today - timedelta(days=1))
    get(client, nanning, "/")
    flush()
    assert VisitorDigest.objects.get(day=today).digest != first


@pytest.mark.django_db
def test_rollup_keeps_the_count_and_destroys_digests_and_salt(client, portals):
    from django.core.management import call_command

    nanning = portals["nanning"]
    get(client, nanning, "/", ip="203.0.113.1")
    get(client, nanning, "/", ip="203.0.113.2")
    flush()
    yesterday = timezone.localdate() - timedelta(days=1)
    VisitorDigest.objects.update(day=yesterday)
    DailySalt.objects.update(day=yesterday)
    get(client, nanning, "/", ip="203.0.113.3")  # today's visitor stays until tomorrow
    call_command("stats_rollup", stdout=StringIO())
    assert DailyVisitors.objects.get(site=nanning.site, day=yesterday).visitors == 2
    assert not VisitorDigest.objects.filter(day=yesterday).exists()
    assert not DailySalt.objects.filter(day=yesterday).exists()
    assert VisitorDigest.objects.filter(day=timezone.localdate()).count() == 1


@pytest.mark.django_db
def test_counting_off_counts_nothing(client, portals, settings):
    settings.STATS_COUNTING = False
    get(client, portals["nanning"], "/")
    flush()
    assert not PageViewDaily.objects.exists()
