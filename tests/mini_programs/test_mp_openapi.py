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
def wsgi_app():
    """The project's WSGI application, called in-process inside the test's transaction. Like
    Django's test client, it must not close the connection at the end of each request (which
    request_finished does with CONN_MAX_AGE on PostgreSQL)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


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
def test_no_input_makes_a_server_error(case, bearer, wsgi_app):
    response = case.call(app=wsgi_app, headers=bearer)
    case.validate_response(response, checks=[not_a_server_error])
    if response.status_code >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "details"}, body
