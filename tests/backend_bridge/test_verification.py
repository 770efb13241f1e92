"""SMS verification codes: captcha, sending limits, code lifetime, attempts, single use; and the
cache-based sliding-window rate limiter they are built on."""

import re
import threading
import time

import pytest
from django.core.cache import cache

from backend_bridge import captcha, verification
from backend_bridge.ratelimit import RateLimit, hit_all
from backend_bridge.verification import VerificationError, check_code, new_captcha, request_code
from tests.simulators import fixtures as simulator_fixtures

PHONE = "13800138000"
IP = "203.0.113.7"

aliyun_sms_simulator = simulator_fixtures.aliyun_sms_simulator
sms_outbox = simulator_fixtures.sms_outbox


class FakeClock:
    def __init__(self):
        self.now = time.time()  # near real time, so Redis expiry and this clock agree

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@pytest.fixture
def clock(monkeypatch):
    fake = FakeClock()
    monkeypatch.setattr(verification, "clock", fake)
    return fake


def solved_captcha() -> tuple[str, str]:
    """A new captcha and its answer, read from where the server keeps it."""
    key, _ = new_captcha(IP)
    return key, cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"]


def send(phone=PHONE, purpose="petition", ip=IP) -> None:
    request_code(phone, purpose, ip, *solved_captcha())


def last_code(outbox) -> str:
    return outbox[-1]["params"]["code"]


def refused(call, *args) -> VerificationError:
    with pytest.raises(VerificationError) as info:
        call(*args)
    return info.value


# --- captcha -------------------------------------------------------------------------------------


def test_a_captcha_is_a_png_whose_answer_stays_on_the_server(clock):
    key, image = new_captcha(IP)
    assert image.startswith(b"\x89PNG\r\n\x1a\n")
    assert re.fullmatch(r"[A-Za-z0-9_-]{32}", key)
    assert cache.get(f"{captcha.KEY_PREFIX}:{key}")["answer"].isdigit()


def test_a_captcha_is_single_use(clock, sms_outbox):
    key, answer = solved_captcha()
    request_code(PHONE, "petition", IP, key, answer)
    error = refused(request_code, "13900139000", "petition", IP, key, answer)
    assert error.code == "captcha_invalid"
    assert "图形验证码" in error.message
    assert len(sms_outbox) == 1


def test_a_wrong_captcha_answer_uses_the_captcha_up(clock, sms_outbox):
    key, answer = solved_captcha()
    assert refused(request_code, PHONE, "petition", IP, key, "-1").code == "captcha_invalid"
    assert refused(request_code, PHONE, "petition", IP, key, answer).code == "captcha_invalid"
    assert sms_outbox == []


def test_a_captcha_expires_after_five_minutes(clock, sms_outbox):
    key, answer = solved_captcha()
    clock.advance(301)
    assert refused(request_code, PHONE, "petition", IP, key, answer).code == "captcha_invalid"


def test_a_full_width_captcha_answer_is_accepted(clock, sms_outbox):
    key, answer = solved_captcha()
    wide = "".join(chr(ord(c) + 0xFEE0) for c in answer)
    request_code(PHONE, "petition", IP, key, f" {wide} ")
    assert len(sms_outbox) == 1


def test_a_forged_captcha_key_is_refused(clock):
    assert refused(request_code, PHONE, "petition", IP, "../../x", "1").code == "captcha_invalid"


# --- codes ---------------------------------------------------------------------------------------


def test_the_code_is_sent_in_chinese_and_accepted_once(clock, sms_outbox):
    send()
    assert re.fullmatch(r"\d{6}", last_code(sms_outbox))
    assert "验证码" in sms_outbox[-1]["text"] and "5分钟" in sms_outbox[-1]["text"]
    check_code(PHONE, "petition", last_code(sms_outbox))
    assert refused(check_code, PHONE, "petition", last_code(sms_outbox)).code == "code_expired"


def test_only_a_hash_of_the_code_is_stored(clock, sms_outbox):
    send()
    code = last_code(sms_outbox)
    record = cache.get(verification._record_key(PHONE, "petition"))
    assert code not in repr(record)
    assert PHONE not in verification._record_key(PHONE, "petition")


def test_a_code_expires_after_five_minutes(clock, sms_outbox):
    send()
    clock.advance(299)
    check_code(PHONE, "petition", last_code(sms_outbox))
    clock.advance(61)
    send()
    clock.advance(300)
    error = refused(check_code, PHONE, "petition", last_code(sms_outbox))
    assert error.code == "code_expired"
    assert "重新获取" in error.message


def test_a_code_dies_after_five_wrong_guesses(clock, sms_outbox):
    send()
    code = last_code(sms_outbox)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for remaining in (4, 3, 2, 1):
        error = refused(check_code, PHONE, "petition", wrong)
        assert error.code == "code_invalid"
        assert f"还可以尝试{remaining}次" in error.message
    assert refused(check_code, PHONE, "petition", wrong).code == "too_many_attempts"
    assert refused(check_code, PHONE, "petition", code).code in (
        "too_many_attempts",
        "code_expired",
    )


def test_a_malformed_code_is_refused_without_spending_an_attempt(clock, sms_outbox):
    send()
    for _ in range(6):
        assert refused(check_code, PHONE, "petition", "12ab").code == "code_invalid"
    check_code(PHONE, "petition", last_code(sms_outbox))


def test_a_code_is_bound_to_its_phone_and_purpose(clock, sms_outbox):
    send()
    code = last_code(sms_outbox)
    assert refused(check_code, PHONE, "lookup", code).code == "code_expired"
    assert refused(check_code, "13900139000", "petition", code).code == "code_expired"
    check_code(PHONE, "petition", code)


def test_a_new_code_replaces_the_previous_one(clock, sms_outbox):
    send()
    first = last_code(sms_outbox)
    clock.advance(61)
    send()
    second = last_code(sms_outbox)
    if first != second:
        assert refused(check_code, PHONE, "petition", first).code == "code_invalid"
    check_code(PHONE, "petition", second)


def test_the_right_code_sent_in_parallel_is_accepted_once(clock, sms_outbox):
    send()
    code = last_code(sms_outbox)
    results = []

    def attempt():
        try:
            check_code(PHONE, "petition", code)
            results.append("ok")
        except VerificationError as error:
            results.append(error.code)

    threads = [threading.Thread(target=attempt) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert results.count("ok") == 1


def test_an_invalid_phone_is_refused_before_anything_is_spent(clock, sms_outbox):
    key, answer = solved_captcha()
    error = refused(request_code, "1234", "petition", IP, key, answer)
    assert error.code == "phone_invalid" and "手机号码" in error.message
    request_code(PHONE, "petition", IP, key, answer)  # the captcha is still good


def test_a_gateway_failure_is_reported_in_chinese(clock, settings, aliyun_sms_simulator):
    options = aliyun_sms_simulator.client_options()
    settings.SMS_PROVIDER = "backend_bridge.providers.AliyunSmsProvider"
    settings.SMS_ALIYUN_ACCESS_KEY_ID = options["access_key_id"]
    settings.SMS_ALIYUN_ACCESS_KEY_SECRET = options["access_key_secret"]
    settings.SMS_ALIYUN_ENDPOINT = options["endpoint"]
    settings.SMS_SIGN_NAME = options["sign_name"]
    settings.SMS_TEMPLATE_VERIFICATION_CODE = "SMS_100001"
    settings.SMS_TIMEOUT = 0.3
    send()
    assert aliyun_sms_simulator.messages[-1]["phone"] == PHONE
    code = re.search(r"\d{6}", aliyun_sms_simulator.messages[-1]["text"]).group()
    check_code(PHONE, "petition", code)
    aliyun_sms_simulator.script("timeout")
    clock.advance(61)
    error = refused(send)
    assert error.code == "sms_failed" and "短信发送失败" in error.message


# --- sending limits ------------------------------------------------------------------------------


def test_one_code_per_phone_per_minute(clock, sms_outbox):
    send()
    clock.advance(30)
    error = refused(send)
    assert error.code == "rate_limited" and error.scope == "phone_interval"
    assert 29 <= error.retry_after <= 31
    assert f"{error.retry_after}秒" in error.message
    clock.advance(error.retry_after)
    send()
    assert len(sms_outbox) == 2


def test_five_codes_per_phone_per_hour(clock, sms_outbox):
    for _ in range(5):
        send()
        clock.advance(61)
    error = refused(send)
    assert error.scope == "phone_hour"
    assert 3600 - 5 * 61 - 60 <= error.retry_after <= 3600 - 5 * 61 + 1
    assert error.as_dict()["details"] == {"retry_after": error.retry_after, "scope": "phone_hour"}


def test_ten_codes_per_phone_per_day(clock, settings, sms_outbox):
    settings.SMS_LIMIT_PHONE_HOUR = 0  # off, to reach the daily limit
    for _ in range(10):
        send()
        clock.advance(61)
    error = refused(send)
    assert error.scope == "phone_day"
    assert "今日" in error.message and "小时" in error.message
    assert 86400 - 10 * 61 - 1440 <= error.retry_after <= 86400 - 10 * 61 + 1


def test_twenty_codes_per_ip_per_hour_then_other_ips_still_work(clock, sms_outbox, settings):
    settings.CAPTCHA_LIMIT_IP_MINUTE = 0  # this is about the SMS limit, not the captcha's
    for n in range(20):
        send(phone=f"1380000{n:04d}")
    error = refused(send, "13999999999")
    assert error.scope == "ip_hour"
    send(phone="13999999999", ip="198.51.100.1")


def test_a_refusal_by_a_later_limit_does_not_spend_the_earlier_ones(clock, settings, sms_outbox):
    settings.SMS_LIMIT_IP_HOUR = 1
    send(phone="13800000001")
    assert refused(send, "13800000002").scope == "ip_hour"
    send(phone="13800000002", ip="198.51.100.1")  # its per-phone interval was not spent


def test_the_global_daily_limit(clock, settings, sms_outbox):
    settings.SMS_LIMIT_GLOBAL_DAY = 3
    for n in range(3):
        send(phone=f"1380000{n:04d}", ip=f"198.51.100.{n}")
    error = refused(send, "13900000000", "petition", "192.0.2.1")
    assert error.scope == "global_day" and error.code == "rate_limited"


def test_limits_set_to_zero_are_off(clock, settings, sms_outbox):
    settings.SMS_LIMIT_PHONE_INTERVAL = 0
    settings.SMS_LIMIT_PHONE_HOUR = 0
    for _ in range(8):
        send()
    assert len(sms_outbox) == 8


def test_a_refused_request_spends_no_sms(clock, sms_outbox):
    send()
    refused(send)
    assert len(sms_outbox) == 1


# --- the rate limiter itself ---------------------------------------------------------------------


def test_the_window_slides_so_there_is_no_burst_at_a_boundary():
    limit = RateLimit("t-slide", 3, 60, buckets=60)
    base = 6000.0  # a window boundary of a fixed 60 s window
    for at in (base - 10, base - 5, base - 1):
        assert limit.hit("x", now=at).allowed
    refusal = limit.hit("x", now=base + 1)  # a fixed window would allow three more here
    assert not refusal.allowed
    assert refusal.retry_after == 49  # when the hit at base-10 leaves the window
    assert limit.hit("x", now=base + 50).allowed


def test_refused_hits_are_not_counted():
    limit = RateLimit("t-refused", 2, 60, buckets=60)
    assert limit.hit("x", now=100).allowed and limit.hit("x", now=101).allowed
    for _ in range(5):
        assert not limit.hit("x", now=102).allowed
    assert limit.peek("x", now=102).count == 2
    assert limit.hit("x", now=161).allowed


def test_identifiers_are_independent_and_hashed_in_keys():
    limit = RateLimit("t-ident", 1, 60)
    assert limit.hit("13800138000", now=0).allowed
    assert limit.hit("13900139000", now=0).allowed
    assert "13800138000" not in limit._key(limit._ident("13800138000"), 0)


def test_hit_all_counts_all_or_none():
    first, second = RateLimit("t-a", 5, 60), RateLimit("t-b", 0, 60)
    refused_by, decision = hit_all([(first, "x"), (second, "x")], now=10)
    assert refused_by is second and not decision.allowed
    assert first.peek("x", now=10).count == 0


def test_reset_forgets_the_window():
    limit = RateLimit("t-reset", 1, 900)
    assert limit.hit("q", now=50).allowed
    assert not limit.hit("q", now=60).allowed
    limit.reset("q", now=60)
    assert limit.hit("q", now=61).allowed
