"""Personal data at rest: SM4-GCM encryption, HMAC-SM3 blind indexes, signatures and masking.

Names, ID numbers and phone numbers are stored only as SM4 ciphertext (``EncryptedTextField``);
where equality lookups are needed (same person, phone of a submission) a keyed HMAC-SM3 of the
normalised value is stored beside it. Both keys come from the environment (``PII_SM4_KEY``,
``PII_INDEX_KEY``); nothing here has a default key. The same HMAC-SM3 signs requests to and
webhooks from the case system (``sign``/``verify_signature``).
"""

from __future__ import annotations

import base64
import binascii
import hmac as std_hmac
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

TOKEN_PREFIX = "sm4gcm1:"  # noqa: S105 - a format marker, not a secret
NONCE_BYTES = 12
TAG_BYTES = 16


class DecryptionError(ValueError):
    """The stored ciphertext could not be decrypted (wrong key or tampered value)."""


def _key_bytes(setting: str) -> bytes:
    raw = getattr(settings, setting, "") or ""
    if not raw:
        raise ImproperlyConfigured(f"{setting} must be set (32 hex characters)")
    try:
        key = bytes.fromhex(raw)
    except ValueError:
        try:
            key = base64.b64decode(raw, validate=True)
        except (binascii.Error, ValueError):
            key = b""
    if setting == "PII_SM4_KEY" and len(key) != 16:
        raise ImproperlyConfigured("PII_SM4_KEY must be 16 bytes (32 hex characters)")
    if len(key) < 16:
        raise ImproperlyConfigured(f"{setting} must be at least 16 bytes (32 hex characters)")
    return key


def encrypt(plaintext: str) -> str:
    """SM4-GCM ciphertext of ``plaintext`` as text: prefix + base64(nonce | ciphertext | tag)."""
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(_key_bytes("PII_SM4_KEY")), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return TOKEN_PREFIX + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("not an SM4 token")
    try:
        raw = base64.b64decode(token[len(TOKEN_PREFIX) :], validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("malformed SM4 token") from exc
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(_key_bytes("PII_SM4_KEY")), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("SM4 token failed authentication") from exc


def hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def blind_index(value: str, purpose: str) -> str:
    """Keyed HMAC-SM3 of a normalised value; ``purpose`` keeps indexes of different fields apart."""
    normalised = "".join(value.split()).upper()
    return hmac_sm3(_key_bytes("PII_INDEX_KEY"), f"{purpose}\x1f{normalised}".encode())


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """HMAC-SM3 signature over ``timestamp + "." + body`` (requests and webhooks alike)."""
    return hmac_sm3(secret.encode(), timestamp.encode() + b"." + body)


def verify_signature(secret: str, timestamp: str, body: bytes, signature: str) -> bool:
    return bool(secret) and std_hmac.compare_digest(sign(secret, timestamp, body), signature or "")


# --- masking (脱敏) ---------------------------------------------------------------------------


def mask_id_number(value: str) -> str:
    """450***********1234: the region's first three and the last four characters stay."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_phone(value: str) -> str:
    """138****8000."""
    if not value:
        return ""
    if len(value) <= 7:
        return "*" * len(value)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张** : only the family name (first character) stays."""
    if not value:
        return ""
    return value[0] + "*" * max(len(value) - 1, 1)


class EncryptedTextField(models.TextField):
    """A text column holding SM4 ciphertext; Python code sees the plaintext.

    Not searchable or orderable by value: store a ``blind_index`` beside it for equality lookups.
    """

    description = "SM4 encrypted text"

    def from_db_value(self, value, expression, connection):
        if value is None or value == "":
            return value
        return decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "":
            return value
        return encrypt(value)
