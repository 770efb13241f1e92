"""Device attestation: a genuine APP on a real device may ask for an SMS code without solving the
picture captcha (APP短信业务功能改造).

The APP obtains a token from its platform's attestation service (Play Integrity, App Attest,
HarmonyOS DeviceCheck …) and sends it with the code request. A verifier chosen by
``APP_ATTESTATION_PROVIDER`` checks it; without one the captcha stays required. The HTTP
verifier sends ``{"token", "device_id"}`` to ``APP_ATTESTATION_URL`` (the bureau's attestation
gateway, which talks to the platform vendors), signed like the case system's requests
(``X-Timestamp``, ``X-Signature`` = HMAC-SM3 of timestamp + "." + body with
``APP_ATTESTATION_SECRET``), and expects ``{"valid": true, "device_id": "<the same>"}``.
"""

from __future__ import annotations

import json
import logging
import time
import urllib.error
import urllib.request

from django.conf import settings
from django.utils.module_loading import import_string

from backend_bridge import crypto

logger = logging.getLogger(__name__)


class AttestationVerifier:
    """Says whether an attestation token proves a genuine APP on the device ``device_id``."""

    def verify(self, token: str, device_id: str) -> bool:
        raise NotImplementedError


class HttpAttestationVerifier(AttestationVerifier):
    def __init__(self, url: str = "", secret: str = "", timeout: float | None = None):
        self.url = url or settings.APP_ATTESTATION_URL
        self.secret = secret or settings.APP_ATTESTATION_SECRET
        self.timeout = settings.APP_ATTESTATION_TIMEOUT if timeout is None else timeout

    def verify(self, token: str, device_id: str) -> bool:
        if not self.url.startswith(("http://", "https://")) or not self.secret:
            logger.error("APP attestation: APP_ATTESTATION_URL/SECRET not configured")
            return False
        body = json.dumps({"token": token, "device_id": device_id}).encode()
        stamp = str(int(time.time()))
        request = urllib.request.Request(  # noqa: S310 - the scheme is checked above
            self.url,
            data=body,
            method="POST",
            headers={
                "Content-Type": "application/json",
                "X-Timestamp": stamp,
                "X-Signature": crypto.sign(self.secret, stamp, body),
            },
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                answer = json.loads(response.read() or b"{}")
        except (urllib.error.URLError, OSError, ValueError) as exc:
            # Not reachable: the citizen can still use the captcha; never a crash.
            logger.warning("APP attestation gateway unavailable: %s", exc)
            return False
        return (
            isinstance(answer, dict)
            and answer.get("valid") is True
            and answer.get("device_id") == device_id
        )


def get_verifier() -> AttestationVerifier | None:
    path = getattr(settings, "APP_ATTESTATION_PROVIDER", "") or ""
    return import_string(path)() if path else None


def verify(token: str, device_id: str) -> bool:
    """True when a verifier is configured and it accepts the token for this device."""
    verifier = get_verifier()
    if verifier is None or not token or not device_id or len(token) > 8192:
        return False
    return verifier.verify(token, device_id)
