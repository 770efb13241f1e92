"""HTTP hardening as a browser and an assessor see it: CSP without unsafe-inline on every public
page (and nothing inline on them to need it), the other security headers, HSTS and the HTTPS
redirect under HTTPS settings, a clean ``check --deploy`` under production settings, and
production refusing to start with the console SMS or ID provider."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from cms.factories import ArticlePageFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
PUBLIC = [
    "/",
    "/gzdt/",
    "/gzdt/csp/",
    "/search/?q=信访",
    "/hdjl/",
    "/hdjl/xf/",
    "/hdjl/cx/",
    "/hdjl/ldly/",
    "/hdjl/rmjy/",
]


def csp_of(response) -> dict[str, list[str]]:
    policy = {}
    for part in response["Content-Security-Policy"].split(";"):
        words = part.split()
        if words:
            policy[words[0]] = words[1:]
    return policy


def test_every_public_page_has_a_strict_policy_and_nothing_inline(client, column):
    ArticlePageFactory(parent=column, slug="csp")
    for path in PUBLIC:
        response = client.get(path, HTTP_HOST="nanning.localhost")
        assert response.status_code == 200, path
        policy = csp_of(response)
        assert "'unsafe-inline'" not in response["Content-Security-Policy"], path
        assert policy["script-src"][0] == "'self'" and policy["style-src"] == ["'self'"], path
        assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
        html = response.content.decode()
        # Scripts only from files; no inline styles or event handlers a strict policy would block.
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in tag or 'type="application/json"' in tag, (path, tag)
        assert "<style" not in html, path
        assert not re.search(r"\sstyle=\"", html), path
        assert not re.search(r"\son[a-z]+=\"", html), path


def test_cached_pages_carry_the_headers_too(client):
    first = client.get("/", HTTP_HOST="nanning.localhost")
    second = client.get("/", HTTP_HOST="nanning.localhost")
    for response in (first, second):
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert response["Permissions-Policy"].startswith("accelerometer=()")
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["X-Frame-Options"] == "DENY"
        assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_admin_has_its_own_policy_that_still_closes_plugins_and_framing(client, staff):
    client.force_login(staff("nanning", "editor"))
    response = client.get("/admin/")
    policy = csp_of(response)
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'self'"]
    assert policy["base-uri"] == ["'self'"] and policy["form-action"] == ["'self'"]


def test_https_settings_redirect_and_send_hsts():
    with override_settings(
        SECURE_SSL_REDIRECT=True, SECURE_HSTS_SECONDS=31536000, SECURE_HSTS_INCLUDE_SUBDOMAINS=True
    ):
        client = Client()
        plain = client.get("/", HTTP_HOST="nanning.localhost")
        assert plain.status_code == 301 and plain["Location"].startswith(
            "https://nanning.localhost/"
        )
        assert client.get("/healthz", HTTP_HOST="nanning.localhost").status_code == 200
        secure = client.get("/", HTTP_HOST="nanning.localhost", secure=True)
        assert secure["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


def production_env(**extra) -> dict:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DJANGO_", "DATABASE_URL", "REDIS_URL"))
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "cms.settings",
            "DJANGO_READ_DOT_ENV": "0",
            "DEBUG": "0",
            "SECRET_KEY": "p" * 20 + "-Production-Only-Key-Of-Sixty-Characters-xyz0123456789",
            "ALLOWED_HOSTS": ".xf.gxzf.gov.cn",
            "PORTAL_SCHEME": "https",
            "BEHIND_PROXY": "1",
            "TASKS_BACKEND": "database",
            "SMS_PROVIDER": "backend_bridge.providers.AliyunSmsProvider",
            "ID_VERIFY_PROVIDER": "backend_bridge.providers.HttpIdVerifier",
            "ID_VERIFY_ENDPOINT": "https://idcheck.example.gov.cn/verify",
        }
    )
    env.update(extra)
    return env


def manage(*args, env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_is_clean_under_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_console_providers():
    env = production_env(
        SMS_PROVIDER="backend_bridge.providers.ConsoleSmsProvider",
        ID_VERIFY_PROVIDER="backend_bridge.providers.ConsoleIdVerifier",
    )
    result = manage("check", "--deploy", env=env)
    assert result.returncode != 0
    assert "security.E001" in result.stderr and "security.E002" in result.stderr
    assert "控制台短信通道" in result.stderr
    start = subprocess.run(
        [sys.executable, "-c", "import cms.wsgi"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert start.returncode != 0 and "ImproperlyConfigured" in start.stderr
    assert "security.E001" in start.stderr
