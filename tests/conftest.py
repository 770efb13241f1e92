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


def _forget_content_type_ids(**kwargs):
    """A transactional test's flush recreates the content types under new ids (post_migrate),
    but Wagtail's permission policies are process-wide objects that cache their model's content
    type: a later test would check a portal administrator's site permissions (the 设置 menu)
    against the old id and find none. Forget those cached content types after every flush."""
    import gc

    from wagtail.permission_policies.base import BasePermissionPolicy

    for obj in gc.get_objects():
        # type(), not isinstance(): the latter asks lazy objects for __class__ and evaluates them.
        if issubclass(type(obj), BasePermissionPolicy):
            obj.__dict__.pop("_content_type", None)


@pytest.fixture(scope="session", autouse=True)
def _content_types_follow_flushes():
    from django.db.models.signals import post_migrate

    post_migrate.connect(_forget_content_type_ids, dispatch_uid="tests_forget_content_type_ids")
    yield
    post_migrate.disconnect(dispatch_uid="tests_forget_content_type_ids")


@pytest.fixture(autouse=True)
def _empty_cache():
    from stats.counting import buffer

    cache.clear()
    buffer.take()  # page views counted by an earlier test are not this test's
    yield
    buffer.take()
    cache.clear()


def mark_second_factor_passed(client, user):
    """Mark the client's signed-in session as having passed the second factor (django-otp), with
    a confirmed TOTP device of the user's. For tests about something else than signing in."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="test: force_login", defaults={"confirmed": True}
    )
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


@pytest.fixture(autouse=True)
def _force_login_passes_second_factor(monkeypatch):
    """``client.force_login(user)`` is the tests' explicit way around signing in: it skips the
    password and, with this, the second factor too. Signing in through the front door (posting
    the login form, ``client.login``) gets no such help: tests/security tests that path."""
    from django.test import Client

    original = Client.force_login

    def force_login(self, user, backend=None):
        original(self, user, backend)
        mark_second_factor_passed(self, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def portals(db):
    from sites.models import Portal

    if not Portal.objects.exists():
        # A transactional test that ran earlier flushed the session's seed: seed again.
        from sites.services.seeding import seed_portals

        seed_portals(demo=False, dictionaries=False)
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
