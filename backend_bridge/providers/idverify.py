"""Real-name verification providers: does this name belong to this resident ID number?

Chosen by ``settings.ID_VERIFY_PROVIDER`` through ``backend_bridge.providers.get_id_verifier()``.
Every provider validates the ID number locally first (``backend_bridge.idcard``), so a malformed
number never costs a call. ``verify`` returns True (match) or False (mismatch or no record) and
raises ``ProviderError`` when the service cannot answer.

``HttpIdVerifier`` speaks the generic JSON-over-HTTPS contract written down in docs/providers.md:
a signed POST (app key, timestamp, nonce, HMAC-SHA256 or HMAC-SM3), a ``request_id`` that stays
the same across retries so the service answers and bills a retried request once.
"""

from __future__ import annotations

import hashlib
import hmac as std_hmac
import json
import logging
import secrets
import time
import uuid
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured, ValidationError

from backend_bridge.idcard import validate_id_number

from .base import ProviderError, http_request, json_object

logger = logging.getLogger(__name__)

SIGN_METHODS = ("HMAC-SHA256", "HMAC-SM3")


def digest_hex(method: str, data: bytes) -> str:
    """Hex digest of ``data`` with the hash of the signature method (SHA-256 or SM3)."""
    if method == "HMAC-SM3":
        h = hashes.Hash(hashes.SM3())
        h.update(data)
        return h.finalize().hex()
    return hashlib.sha256(data).hexdigest()


def hmac_hex(method: str, key: bytes, data: bytes) -> str:
    """Hex HMAC of ``data``: HMAC-SHA256, or HMAC-SM3 (GB/T 32905) through ``cryptography``."""
    if method == "HMAC-SM3":
        mac = crypto_hmac.HMAC(key, hashes.SM3())
        mac.update(data)
        return mac.finalize().hex()
    return std_hmac.new(key, data, hashlib.sha256).hexdigest()


def string_to_sign(method: str, path: str, timestamp: str, nonce: str, body: bytes) -> str:
    """The signed text of the contract: method, path, timestamp, nonce, body digest, one a line."""
    return "\n".join(["POST", path or "/", timestamp, nonce, digest_hex(method, body)])


class BaseIdVerifier:
    """Subclasses implement ``check(name, id_number)`` on already normalized input."""

    name = "base"

    def verify(self, name: str, id_number: str) -> bool:
        """True when the ID number is the named person's. Raises ``ValidationError`` for a
        locally invalid ID number or an empty name, ``ProviderError`` when the service fails."""
        number = validate_id_number(id_number)
        person = " ".join(str(name or "").split())
        if not person or len(person) > 50:
            raise ValidationError("请填写与身份证一致的姓名。", code="name_invalid")
        return self.check(person, number)

    def check(self, name: str, id_number: str) -> bool:
        raise NotImplementedError


class ConsoleIdVerifier(BaseIdVerifier):
    """Development provider: any locally valid ID number matches any name; nothing is sent."""

    name = "console"

    def check(self, name: str, id_number: str) -> bool:
        logger.info("ID verification (console provider, not checked): %s***", id_number[:3])
        return True


class HttpIdVerifier(BaseIdVerifier):
    """The generic real-name verification service (contract in docs/providers.md).

    Options (default from settings): ``endpoint`` (ID_VERIFY_ENDPOINT, the full URL of the verify
    operation), ``app_key`` (ID_VERIFY_APP_KEY), ``app_secret`` (ID_VERIFY_APP_SECRET),
    ``sign_method`` (ID_VERIFY_SIGN_METHOD: HMAC-SHA256 or HMAC-SM3), ``timeout``
    (ID_VERIFY_TIMEOUT, seconds per attempt), ``retries`` (ID_VERIFY_RETRIES, extra attempts
    after a timeout, a connection failure, HTTP 429 or 5xx), ``backoff`` (seconds, doubled each
    retry). The worst case is about ``(retries + 1) * timeout + backoff * (2**retries - 1)``.
    """

    name = "http"

    def __init__(
        self,
        *,
        endpoint: str | None = None,
        app_key: str | None = None,
        app_secret: str | None = None,
        sign_method: str | None = None,
        timeout: float | None = None,
        retries: int | None = None,
        backoff: float | None = None,
    ):
        def option(value, setting, default=None):
            return value if value is not None else getattr(settings, setting, default)

        self.endpoint = option(endpoint, "ID_VERIFY_ENDPOINT")
        self.app_key = option(app_key, "ID_VERIFY_APP_KEY")
        self.app_secret = option(app_secret, "ID_VERIFY_APP_SECRET")
        for value, setting in (
            (self.endpoint, "ID_VERIFY_ENDPOINT"),
            (self.app_key, "ID_VERIFY_APP_KEY"),
            (self.app_secret, "ID_VERIFY_APP_SECRET"),
        ):
            if not value:
                raise ImproperlyConfigured(f"{setting} must be set to use HttpIdVerifier")
        self.sign_method = str(option(sign_method, "ID_VERIFY_SIGN_METHOD", "HMAC-SHA256")).upper()
        if self.sign_method not in SIGN_METHODS:
            raise ImproperlyConfigured(f"ID_VERIFY_SIGN_METHOD must be one of {SIGN_METHODS}")
        self.timeout = float(option(timeout, "ID_VERIFY_TIMEOUT", 5))
        self.retries = max(0, int(option(retries, "ID_VERIFY_RETRIES", 2)))
        self.backoff = max(0.0, float(option(backoff, "ID_VERIFY_BACKOFF", 0.5)))

    def signed_headers(
        self, body: bytes, *, timestamp: int | None = None, nonce: str | None = None
    ):
        timestamp_text = str(int(time.time()) if timestamp is None else timestamp)
        nonce = nonce or secrets.token_hex(16)
        text = string_to_sign(
            self.sign_method, urlsplit(self.endpoint).path, timestamp_text, nonce, body
        )
        return {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "X-App-Key": self.app_key,
            "X-Timestamp": timestamp_text,
            "X-Nonce": nonce,
            "X-Signature-Method": self.sign_method,
            "X-Signature": hmac_hex(self.sign_method, self.app_secret.encode(), text.encode()),
        }

    def check(self, name: str, id_number: str) -> bool:
        body = json.dumps(
            {"request_id": uuid.uuid4().hex, "name": name, "id_number": id_number},
            ensure_ascii=False,
            separators=(",", ":"),
        ).encode()
        last_error: ProviderError | None = None
        for attempt in range(self.retries + 1):
            if attempt:
                time.sleep(self.backoff * 2 ** (attempt - 1))
            try:
                return self._attempt(body)
            except ProviderError as error:
                if not error.retryable:
                    raise
                last_error = error
                logger.warning("ID verification attempt %d failed: %s", attempt + 1, error.reason)
        assert last_error is not None
        raise last_error

    def _attempt(self, body: bytes) -> bool:
        # A fresh timestamp and nonce per attempt (the service refuses a reused nonce); the body,
        # and so the request_id, stays the same.
        response = http_request(
            "POST",
            self.endpoint,
            body=body,
            headers=self.signed_headers(body),
            timeout=self.timeout,
            service="id-verify",
        )
        data = json_object(response, "id-verify")
        code = str(data.get("code", ""))
        if response.status == 200 and code == "OK":
            result = data.get("result")
            if result == "match":
                return True
            if result in ("mismatch", "no_record"):
                return False
            raise ProviderError(f"id-verify: unknown result {result!r}", code="bad_result")
        raise ProviderError(
            f"id-verify: HTTP {response.status} {code} {data.get('message', '')}".strip(),
            code=code,
            status=response.status,
            retryable=response.status >= 500 or response.status == 429,
        )
