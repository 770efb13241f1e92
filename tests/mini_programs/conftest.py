"""Fixtures of the mini-program tests: the WeChat simulator, diners, meals, signed-in clients."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.simulators.fixtures import mini_program_simulator, sms_outbox  # noqa: F401


@pytest.fixture
def mp(mini_program_simulator):  # noqa: F811
    return mini_program_simulator


@pytest.fixture
def department(db):
    from mini_programs.models import Department

    return Department.objects.create(name="办公室")


@pytest.fixture
def make_diner(department):
    from mini_programs.models import Diner

    counter = {"n": 0}

    def create(name=None, **fields):
        counter["n"] += 1
        fields.setdefault("department", department)
        return Diner.objects.create(
            name=name or f"职工{counter['n']}", phone=f"1380013{counter['n']:04d}", **fields
        )

    return create


@pytest.fixture
def make_meal(db):
    from mini_programs.models import Meal

    counter = {"n": 0}

    def create(**fields):
        counter["n"] += 1
        fields.setdefault("date", timezone.localdate() + timedelta(days=counter["n"]))
        fields.setdefault("kind", "lunch")
        fields.setdefault("price", Decimal("15.00"))
        fields.setdefault("subsidy", Decimal("5.00"))
        fields.setdefault("cutoff_at", timezone.now() + timedelta(hours=3))
        fields.setdefault("capacity", 100)
        return Meal.objects.create(**fields)

    return create


class Diner:
    """A mini-program user: an API client with its bearer token."""

    def __init__(self, client, token: str, openid: str):
        self.client = client
        self.token = token
        self.openid = openid

    def _headers(self):
        return {"HTTP_AUTHORIZATION": f"Bearer {self.token}"}

    def get(self, path, **params):
        return self.client.get("/api/mp/v1" + path, params, **self._headers())

    def post(self, path, body=None):
        return self.client.post(
            "/api/mp/v1" + path, body or {}, content_type="application/json", **self._headers()
        )

    def patch(self, path, body):
        return self.client.patch(
            "/api/mp/v1" + path, body, content_type="application/json", **self._headers()
        )


def login(client, mp, openid=None, unionid=None) -> Diner:
    code = mp.login_code(openid, unionid)
    response = client.post("/api/mp/v1/login", {"code": code}, content_type="application/json")
    assert response.status_code == 200, response.content
    return Diner(client, response.json()["token"], mp.openid_of(code))


@pytest.fixture
def sign_in(mp):
    """sign_in(diner) -> a client signed in as a WeChat user bound to ``diner`` (by a one-time
    invitation, through the API); sign_in(None) -> a signed-in user bound to nobody."""
    from django.test import Client

    from mini_programs.services.accounts import issue_invitation

    def create(diner=None, *, openid=None, unionid=None):
        user = login(Client(), mp, openid, unionid)
        if diner is not None:
            code = issue_invitation(diner).code
            response = user.post("/bind/invitation", {"invitation_code": code})
            assert response.status_code == 200, response.content
        return user

    return create
