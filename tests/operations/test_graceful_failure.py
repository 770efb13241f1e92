"""Failing gracefully (issue 13): Redis down → pages served uncached, captchas and rate limits on
the database, the admin works, /readyz answers with reason codes only; database down or read-only
→ a static Chinese maintenance page (503), not a 500."""

import socket
from contextlib import contextmanager

import pytest
from django.core.cache import caches
from django.db import InternalError, OperationalError, connection

from operations.cache import TolerantRedisCache

pytestmark = pytest.mark.django_db


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    """Every cache alias pointed at a Redis that refuses connections (nothing listens there)."""
    location = f"redis://127.0.0.1:{_closed_port()}/0"
    options = {"socket_connect_timeout": 0.2, "socket_timeout": 0.2, "RETRY_SECONDS": 30}
    settings.CACHES = {
        "default": {
            "BACKEND": "operations.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": options,
        },
        "limits": {
            "BACKEND": "operations.cache.TolerantRedisCache",
            "LOCATION": location,
            "OPTIONS": {**options, "FALLBACK": "database"},
        },
        "database": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "operations_cache_entry",
        },
    }
    settings.RATELIMIT_USE_CACHE = "limits"
    for alias in ("default", "limits", "database"):
        caches._settings = None
        if hasattr(caches._connections, alias):
            delattr(caches._connections, alias)
    yield location
    for alias in ("default", "limits", "database"):
        if hasattr(caches._connections, alias):
            delattr(caches._connections, alias)


def test_public_pages_are_served_uncached_while_redis_is_down(client, redis_down):
    for _ in range(2):
        response = client.get("/gzdt/", HTTP_HOST="nanning.localhost")
        assert response.status_code == 200
        assert "南宁" in response.content.decode()
        assert response.get("X-Page-Cache", "miss") == "miss"


def test_captchas_and_rate_limits_fall_back_to_the_database(redis_down):
    from backend_bridge import captcha
    from backend_bridge.ratelimit import RateLimit
    from operations.models import CacheEntry

    key, png = captcha.create(now=0)
    assert png.startswith(b"\x89PNG") and CacheEntry.objects.exists()
    answer = caches["database"].get(f"{captcha.KEY_PREFIX}:{key}")["answer"]
    assert captcha.consume(key, answer, now=1) is True
    assert captcha.consume(key, answer, now=1) is False  # used up, as with Redis
    limit = RateLimit("ops-test", 2, 60)
    assert [limit.hit("1.2.3.4").allowed for _ in range(3)] == [True, True, False]


def test_the_admin_works_while_redis_is_down(client, redis_down, staff):
    editor = staff("nanning", "editor")
    client.force_login(editor)
    response = client.get("/admin/", HTTP_HOST="localhost")
    assert response.status_code == 200
    assert "仪表板" in response.content.decode() or "控制面板" in response.content.decode()


def test_readyz_says_degraded_with_a_code_and_reveals_no_host(client, redis_down):
    response = client.get("/readyz", HTTP_HOST="10.0.0.8")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "cache": "cache_unreachable"}
    port = redis_down.rsplit(":", 1)[1].split("/")[0]
    assert port not in response.content.decode() and "127.0.0.1" not in response.content.decode()


def test_a_dead_redis_is_left_alone_for_a_while_after_one_failure(redis_down):
    cache = caches["default"]
    assert isinstance(cache, TolerantRedisCache)
    assert cache.get("anything", "fallback") == "fallback"
    assert not cache.available  # no second connection attempt for RETRY_SECONDS
    cache.set("x", 1)
    assert cache.get("x") is None


def test_redis_coming_back_empties_what_the_outage_left_stale(settings):
    import redis as redis_lib

    if not settings.REDIS_URL:
        pytest.skip("needs a Redis server (REDIS_URL), as in CI")
    cache = TolerantRedisCache(settings.REDIS_URL, {"OPTIONS": {"RETRY_SECONDS": 0}})
    cache.set("generation", "old")
    real = redis_lib.Redis.execute_command

    def refuse(*args, **kwargs):
        raise redis_lib.exceptions.ConnectionError("down")

    redis_lib.Redis.execute_command = refuse
    try:
        cache.set("generation", "new")  # lost: Redis is down
    finally:
        redis_lib.Redis.execute_command = real
    assert cache.get("generation") is None  # emptied on return, never the stale "old"


@contextmanager
def database_failing(error):
    def fail(execute, sql, params, many, context):
        raise error

    with connection.execute_wrapper(fail):
        yield


@pytest.mark.parametrize(
    "error",
    [
        OperationalError("could not connect to server db.internal:5432"),
        InternalError("cannot execute INSERT in a read-only transaction"),
    ],
    ids=["down", "read-only"],
)
def test_portals_answer_a_chinese_maintenance_page_when_the_database_fails(client, error):
    client.raise_request_exception = False
    with database_failing(error):
        response = client.get("/gzdt/", HTTP_HOST="nanning.localhost")
    assert response.status_code == 503
    html = response.content.decode()
    assert "系统正在维护" in html and response["Retry-After"]
    assert "db.internal" not in html and "read-only" not in html


def test_a_form_post_while_the_database_is_read_only_gets_the_maintenance_page(client):
    client.raise_request_exception = False
    with database_failing(InternalError("cannot execute UPDATE in a read-only transaction")):
        response = client.post("/hdjl/", {"x": "1"}, HTTP_HOST="nanning.localhost")
    assert response.status_code == 503 and "系统正在维护" in response.content.decode()


def test_readyz_answers_503_database_unreachable_when_the_database_is_down(client):
    with database_failing(OperationalError("could not connect to server db.internal:5432")):
        response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["reasons"] == ["database_unreachable"]
    assert "db.internal" not in response.content.decode()


def test_a_bug_in_a_query_is_still_a_500_and_not_hidden_as_maintenance(client):
    from django.db import ProgrammingError

    client.raise_request_exception = False
    with database_failing(ProgrammingError("syntax error")):
        response = client.get("/gzdt/", HTTP_HOST="nanning.localhost")
    assert response.status_code == 500
