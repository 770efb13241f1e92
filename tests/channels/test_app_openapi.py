"""The APP's OpenAPI document: committed up to date, and fuzzed by schemathesis (bounded) without
one server error."""

from __future__ import annotations

from pathlib import Path

import pytest
import schemathesis
from django.conf import settings as django_settings
from django.core.management import call_command
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from tests.channels.app_content import configure_app_channel, publish_article, work

DOCUMENT = Path(django_settings.BASE_DIR) / "docs" / "app-openapi.json"
schema = schemathesis.openapi.from_path(str(DOCUMENT))


def test_the_committed_openapi_document_is_current():
    # Fails when an endpoint changed without `make app-openapi`.
    call_command("app_openapi", "--check")


def test_the_served_document_is_the_committed_one(client):
    import json

    served = client.get("/api/app/v1/openapi.json").json()
    assert (
        served["paths"].keys() == json.loads(DOCUMENT.read_text(encoding="utf-8"))["paths"].keys()
    )


@pytest.fixture(scope="module")
def wsgi_app():
    from django.core import signals
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    # As Django's test client does: the end of a request must not close the test's connection
    # (on PostgreSQL that would end the test transaction).
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def some_content(db, settings, portals):
    configure_app_channel(settings)
    column = portals["nanning"].site.root_page.get_children().get(slug="gzdt").specific
    publish_article(column, "模糊测试稿件")
    work()


@pytest.mark.django_db
@schema.include(method="GET").parametrize()
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_no_generated_request_gets_a_server_error(case, wsgi_app, some_content):
    response = case.call(app=wsgi_app)
    case.validate_response(response, checks=[not_a_server_error])
