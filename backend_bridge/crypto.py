"""Personal data at rest: SM4-GCM encryption, HMAC-SM3 blind indexes, signatures and masking.

Names, ID numbers and phone numbers are stored only as SM4 ciphertext (``EncryptedTextField``);
where equality lookups are needed (same person, phone of a submission) a keyed HMAC-SM3 of the
normalised value is stored beside it. Both keys come from the environment (``PII_SM4_KEY``,
``PII_INDEX_KEY``); nothing here has a default key. The same HMAC-SM3 signs requests to and
webhooks from the case system (``sign``/``verify_signature``).

Key versions (密钥轮换): each key has a version (``PII_SM4_KEY_VERSION``,
``PII_INDEX_KEY_VERSION``, default 1) and earlier keys stay readable while ``rotate_keys``
re-encrypts (``PII_SM4_OLD_KEYS``, ``PII_INDEX_OLD_KEYS``: "version:hex" entries). A token names
the version of its key (``sm4gcm1:k2:…``; a token without one is version 1); lookups by blind
index try the index of every readable index key.
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


def _key_bytes(setting: str, raw: str | None = None) -> bytes:
    raw = (getattr(settings, setting, "") or "") if raw is None else raw
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


def key_versions(setting: str) -> tuple[int, dict[int, bytes]]:
    """(current version, {version: key}) of ``PII_SM4_KEY`` or ``PII_INDEX_KEY``: the current
    key and the earlier ones still readable during a rotation."""
    current = int(getattr(settings, f"{setting}_VERSION", 1) or 1)
    keys = {current: _key_bytes(setting)}
    for entry in getattr(settings, setting.replace("_KEY", "_OLD_KEYS"), ()) or ():
        version, sep, raw = str(entry).partition(":")
        if not sep or not version.strip().isdigit():
            raise ImproperlyConfigured(
                f"{setting.replace('_KEY', '_OLD_KEYS')} entries are version:hex"
            )
        if int(version) != current:
            keys[int(version)] = _key_bytes(setting, raw.strip())
    return current, keys


def _split_token(token: str) -> tuple[int, str]:
    if not token.startswith(TOKEN_PREFIX):
        raise DecryptionError("not an SM4 token")
    rest = token[len(TOKEN_PREFIX) :]
    version, sep, body = rest.partition(":")
    if sep and version[:1] == "k" and version[1:].isdigit():
        return int(version[1:]), body
    return 1, rest  # tokens written before key versions existed


def token_key_version(token: str) -> int:
    """Version of the key a stored token was encrypted with."""
    return _split_token(token)[0]


def encrypt(plaintext: str) -> str:
    """SM4-GCM ciphertext of ``plaintext`` under the current key, as text:
    prefix + key version + base64(nonce | ciphertext | tag)."""
    version, keys = key_versions("PII_SM4_KEY")
    nonce = os.urandom(NONCE_BYTES)
    encryptor = Cipher(algorithms.SM4(keys[version]), modes.GCM(nonce)).encryptor()
    body = encryptor.update(plaintext.encode()) + encryptor.finalize()
    return f"{TOKEN_PREFIX}k{version}:" + base64.b64encode(nonce + body + encryptor.tag).decode()


def decrypt(token: str) -> str:
    version, encoded = _split_token(token)
    key = key_versions("PII_SM4_KEY")[1].get(version)
    if key is None:
        raise DecryptionError(f"SM4 key version {version} is not configured")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DecryptionError("malformed SM4 token") from exc
    nonce, body, tag = raw[:NONCE_BYTES], raw[NONCE_BYTES:-TAG_BYTES], raw[-TAG_BYTES:]
    decryptor = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    try:
        return (decryptor.update(body) + decryptor.finalize()).decode()
    except InvalidTag as exc:
        raise DecryptionError("SM4 token failed authentication") from exc


def hmac_sm3(key: bytes, data: bytes) -> str:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize().hex()


def blind_index(value: str, purpose: str, version: int | None = None) -> str:
    """Keyed HMAC-SM3 of a normalised value; ``purpose`` keeps indexes of different fields apart.
    Under the current index key unless ``version`` names another readable one."""
    current, keys = key_versions("PII_INDEX_KEY")
    normalised = "".join(value.split()).upper()
    return hmac_sm3(
        keys[current if version is None else version], f"{purpose}\x1f{normalised}".encode()
    )


def blind_indexes(value: str, purpose: str) -> list[str]:
    """The value's index under every readable index key, current first: what an equality
    lookup must match while a rotation is under way."""
    current, keys = key_versions("PII_INDEX_KEY")
    versions = [current] + sorted((v for v in keys if v != current), reverse=True)
    return [blind_index(value, purpose, version) for version in versions]


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
