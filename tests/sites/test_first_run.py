"""A clean first run: every error of a bad account row at once, portal addresses from the
settings read at run time (seed_portals repairs and prints them), console mail in development."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from wagtail.models import Site

from sites.services.seeding import portal_base_url
from tests.sites.test_accounts import HEADER, run, write_csv

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_a_bad_row_reports_every_error_it_has(tmp_path):
    path = write_csv(tmp_path, [HEADER, "bad user!,,12345,shanghai,boss"])
    _, err, failed, issued = run(path, tmp_path)
    line = next(text for text in err.splitlines() if text.startswith("第 2 行"))
    for problem in (
        "用户名只能包含",
        "姓名不能为空",
        "手机号“12345”",
        "站点代码“shanghai”",
        "角色“boss”",
    ):
        assert problem in line
    assert failed and not issued


def _seed(settings, scheme, port) -> str:
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = scheme, port
    out = StringIO()
    call_command("seed_portals", "--no-admin", stdout=out)
    return out.getvalue()


def test_seed_portals_repairs_the_port_and_prints_the_addresses_it_serves(settings):
    printed = _seed(settings, "http", 8000)
    nanning = Site.objects.get(hostname="nanning.localhost")
    assert nanning.port == 8000
    assert "http://nanning.localhost:8000/" in printed and "http://localhost:8000/" in printed
    printed = _seed(settings, "https", 443)
    assert "https://nanning.localhost/" in printed and ":8000" not in printed
    assert Site.objects.get(hostname="nanning.localhost").port == 443


def test_addresses_follow_the_settings_at_run_time(settings):
    site = Site.objects.get(hostname="nanning.localhost")
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "https", 8443
    assert portal_base_url(site) == "https://nanning.localhost:8443"
    settings.PORTAL_SCHEME, settings.PORTAL_PORT = "http", 80
    assert portal_base_url(site) == "http://nanning.localhost"


def _email_backend(debug: str) -> str:
    env = {**os.environ, "SECRET_KEY": "x", "DJANGO_READ_DOT_ENV": "0", "DEBUG": debug}
    env.pop("EMAIL_BACKEND", None)
    code = (
        "import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'cms.settings'; "
        "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_development_mail_goes_to_the_console_and_production_to_smtp():
    assert _email_backend("1").endswith("console.EmailBackend")
    assert _email_backend("0").endswith("smtp.EmailBackend")
