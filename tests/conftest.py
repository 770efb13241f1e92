"""Shared fixtures: the 15 portals are seeded once per test database; the cache is emptied per test.

The built-in sensitive-word dictionaries are left out of the shared seed: tests that need words
create exactly the ones they assert on.
"""

import pytest
from django.core.cache import cache


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    from sites.services.seeding import seed_portals

    with django_db_blocker.unblock():
        seed_portals(demo=False, dictionaries=False)


@pytest.fixture(autouse=True)
def _empty_cache():
    from stats.counting import buffer

    cache.clear()
    buffer.take()  # page views counted by an earlier test are not this test's
    yield
    buffer.take()
    cache.clear()


@pytest.fixture
def portals(db):
    from sites.models import Portal

    return {p.code: p for p in Portal.objects.select_related("site__root_page")}


def make_staff(username: str, portal, role: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from sites.registry import group_name

    user = get_user_model().objects.create_user(
        username=username, password="Pw-" + username + "-2026"
    )
    user.groups.add(Group.objects.get(name=group_name(portal.name, role)))
    return user


@pytest.fixture
def staff(portals):
    """A factory of staff users: staff("nanning", "editor")."""
    counter = {"n": 0}

    def create(code: str, role: str):
        counter["n"] += 1
        return make_staff(f"{code}-{role}-{counter['n']}", portals[code], role)

    return create


@pytest.fixture
def column(portals):
    """The 工作动态 column of the 南宁 portal."""
    return portals["nanning"].site.root_page.get_children().get(slug="gzdt").specific


def pytest_collection_modifyitems(config, items):
    """Tests that commit (and so flush the database afterwards) run last, so the session's seeded
    portals are still there for every test that runs inside a rolled-back transaction."""

    def commits(item) -> bool:
        marker = item.get_closest_marker("django_db")
        transactional = bool(
            marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
        )
        return transactional or bool(
            {"live_server", "transactional_db"} & set(getattr(item, "fixturenames", ()))
        )

    items.sort(key=commits)
