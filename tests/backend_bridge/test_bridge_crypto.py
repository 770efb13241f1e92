"""SM4 encryption at rest, blind indexes, signatures and masking."""

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from backend_bridge import crypto


def test_encrypt_round_trips_and_is_randomised():
    first, second = crypto.encrypt("张三丰"), crypto.encrypt("张三丰")
    assert first != second
    assert "张三丰" not in first
    assert crypto.decrypt(first) == "张三丰"


def test_tampered_ciphertext_is_refused():
    token = crypto.encrypt("13800138000")
    raw = bytearray(token.encode())
    raw[-3] = ord("A") if raw[-3] != ord("A") else ord("B")
    with pytest.raises(crypto.DecryptionError):
        crypto.decrypt(raw.decode())


def test_missing_key_is_a_configuration_error(settings):
    settings.PII_SM4_KEY = ""
    with pytest.raises(ImproperlyConfigured):
        crypto.encrypt("x")


def test_blind_index_is_keyed_normalised_and_separated_by_purpose(settings):
    a = crypto.blind_index("45010319900101123x", "id_number")
    assert a == crypto.blind_index(" 45010319900101123X ", "id_number")
    assert a != crypto.blind_index("45010319900101123X", "phone")
    settings.PII_INDEX_KEY = "00" * 16
    assert a != crypto.blind_index("45010319900101123X", "id_number")


def test_masking():
    assert crypto.mask_id_number("450103199001011234") == "450***********1234"
    assert crypto.mask_phone("13800138000") == "138****8000"
    assert crypto.mask_name("张三丰") == "张**"


def test_signature_verifies_only_with_the_same_secret_and_body():
    signature = crypto.sign("s3cret", "1700000000", b"{}")
    assert crypto.verify_signature("s3cret", "1700000000", b"{}", signature)
    assert not crypto.verify_signature("other", "1700000000", b"{}", signature)
    assert not crypto.verify_signature("s3cret", "1700000001", b"{}", signature)
    assert not crypto.verify_signature("", "1700000000", b"{}", signature)


def test_personal_columns_hold_ciphertext_not_plaintext(submit, id_number):
    accepted = submit()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, id_number, phone FROM backend_bridge_submission WHERE id = %s",
            [accepted.submission.pk],
        )
        raw = cursor.fetchone()
    assert all(value.startswith(crypto.TOKEN_PREFIX) for value in raw)
    assert "张三丰" not in raw[0] and id_number not in raw[1] and "13800138000" not in raw[2]
    from backend_bridge.models import Submission

    fresh = Submission.objects.get(pk=accepted.submission.pk)
    assert (fresh.name, fresh.id_number, fresh.phone) == ("张三丰", id_number, "13800138000")
    assert fresh.masked_id_number == id_number[:3] + "*" * 11 + id_number[-4:]
