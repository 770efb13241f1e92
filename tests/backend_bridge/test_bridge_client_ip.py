"""Client addresses behind the proxy: a forged X-Forwarded-For does not escape per-IP limits."""

import pytest
from django.core.cache import cache

from backend_bridge import captcha
from tests.simulators import fixtures as simulator_fixtures

pytestmark = pytest.mark.django_db
sms_outbox = simulator_fixtures.sms_outbox


def ask_code(client, phone, forwarded, remote="127.0.0.1"):
    key = client.post("/api/v1/sms/captchas").json()["captcha_key"]
    answer = cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"]
    return client.post(
        "/api/v1/sms/codes",
        {"phone": phone, "purpose": "submit", "captcha_key": key, "captcha_answer": answer},
        content_type="application/json",
        HTTP_X_FORWARDED_FOR=forwarded,
        REMOTE_ADDR=remote,
    )


@pytest.fixture
def behind_nginx(settings):
    settings.TRUSTED_PROXIES = ["127.0.0.1", "10.0.0.0/8"]
    settings.SMS_LIMIT_IP_HOUR = 3
    settings.SMS_LIMIT_PHONE_INTERVAL = 0


def test_an_sms_bomber_forging_the_header_is_counted_at_its_real_address(
    client, behind_nginx, sms_outbox
):
    # nginx appends the address it saw (203.0.113.9) after whatever the client sent.
    answers = [
        ask_code(client, f"1380013800{n}", f"198.51.100.{n}, 203.0.113.9").status_code
        for n in range(5)
    ]
    assert answers == [202, 202, 202, 429, 429]
    assert len(sms_outbox) == 3


def test_a_chain_of_trusted_proxies_is_skipped_from_the_right(client, behind_nginx, sms_outbox):
    for n in range(3):
        assert ask_code(client, f"1380013801{n}", f"203.0.113.20, 10.1.2.{n}").status_code == 202
    # The same client behind another internal hop is still the same client.
    assert ask_code(client, "13800138019", "203.0.113.20, 10.9.9.9").status_code == 429
    # Another client through the same proxies is not.
    assert ask_code(client, "13800138018", "203.0.113.21, 10.9.9.9").status_code == 202


def test_the_header_is_ignored_from_a_client_that_is_not_a_proxy(client, settings, sms_outbox):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    settings.SMS_LIMIT_IP_HOUR = 2
    settings.SMS_LIMIT_PHONE_INTERVAL = 0
    answers = [
        ask_code(client, f"1380013802{n}", f"198.51.100.{n}", remote="203.0.113.30").status_code
        for n in range(3)
    ]
    assert answers == [202, 202, 429]


def test_captchas_are_limited_per_address(client, settings):
    settings.CAPTCHA_LIMIT_IP_MINUTE = 3
    answers = [client.post("/api/v1/sms/captchas").status_code for _ in range(5)]
    assert answers == [201, 201, 201, 429, 429]
    refused = client.post("/api/v1/sms/captchas").json()
    assert "获取图形验证码过于频繁" in refused["message"]
    # Another address is not affected.
    assert client.post("/api/v1/sms/captchas", REMOTE_ADDR="203.0.113.77").status_code == 201
    # Each refusal is in the security audit log, with the address it came from.
    from audit.models import AuditRecord

    refusals = AuditRecord.objects.filter(action="captcha_rate_limited", outcome="denied")
    assert refusals.count() == 3 and {r.ip for r in refusals} == {"127.0.0.1"}
