"""The OpenAPI document: the copy kept in docs/ is the one served, and schemathesis, generating
bad input for every endpoint from it (bounded), never gets a 500 or an error in another shape."""

import json
from pathlib import Path

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "mp-openapi.json"
schema = schemathesis.openapi.from_path(DOCUMENT)


@pytest.mark.django_db
def test_the_document_in_the_repository_is_the_one_served(client, mp):
    served = client.get("/api/mp/v1/openapi.json")
    assert served.status_code == 200
    kept = json.loads(DOCUMENT.read_text(encoding="utf-8"))
    assert kept == served.json(), "docs/mp-openapi.json is stale: run manage.py mp_openapi"
    assert "/api/mp/v1/orders" in kept["paths"]


@pytest.fixture
def bearer(sign_in, make_diner, make_meal):
    make_meal()
    return {"Authorization": f"Bearer {sign_in(make_diner(guests_allowed=True)).token}"}


@pytest.mark.django_db
@schema.parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_input_makes_a_server_error(case, bearer):
    response = case.call(app=get_wsgi_application(), headers=bearer)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "details"}, body
