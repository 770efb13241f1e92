"""The APP's sync on PostgreSQL with two connections: a change that commits while a sync runs is
never skipped, because journal numbers are handed out under a row lock in commit order."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from tests.channels.app_content import configure_app_channel, get, publish_article, work


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_change_committed_during_a_sync_is_in_the_next_sync(client, settings):
    if connection.vendor != "postgresql":
        pytest.skip("two connections and row locks need PostgreSQL (SQLite has one writer)")
    from channels.app import journal
    from sites.models import Portal
    from sites.services.seeding import seed_portals

    seed_portals(demo=False, dictionaries=False)
    configure_app_channel(settings)
    home = Portal.objects.get(code="nanning").site.root_page
    column = home.get_children().get(slug="gzdt").specific
    first, second = publish_article(column, "先开始的修改"), publish_article(column, "后开始的修改")
    work()
    before = get(client, "/sync", site="nanning").json()
    assert len(before["changes"]) == 2

    holding, release = threading.Event(), threading.Event()
    done: dict[str, bool] = {}

    def slow_publisher():
        # Takes its number first and commits last (a long publishing transaction).
        try:
            with transaction.atomic():
                journal.record(first, live=True)
                holding.set()
                release.wait(10)
            done["slow"] = True
        finally:
            connections.close_all()

    def quick_publisher():
        try:
            journal.record(second, live=True)
            done["quick"] = True
        finally:
            connections.close_all()

    slow = threading.Thread(target=slow_publisher)
    slow.start()
    assert holding.wait(10)
    quick = threading.Thread(target=quick_publisher)
    quick.start()
    time.sleep(0.5)
    # The later change cannot take a number (and so cannot commit) before the earlier one.
    assert "quick" not in done

    during = get(client, "/sync", site="nanning", cursor=before["cursor"]).json()
    assert during["changes"] == [] and during["cursor"] == before["cursor"]

    release.set()
    slow.join(10)
    quick.join(10)
    assert done == {"slow": True, "quick": True}

    after = get(client, "/sync", site="nanning", cursor=during["cursor"]).json()
    assert [c["article"]["title"] for c in after["changes"]] == ["先开始的修改", "后开始的修改"]
    assert get(client, "/sync", site="nanning", cursor=after["cursor"]).json()["changes"] == []
