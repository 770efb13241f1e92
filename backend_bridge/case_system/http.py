"""The production HTTP client of the case system (contract: ``docs/case-system-openapi.yaml``).

JSON over HTTPS with the standard library (``urllib``). Every request carries ``X-Api-Key``,
``X-Timestamp`` and ``X-Signature`` = HMAC-SM3(secret, timestamp + "." + body); writes carry an
``Idempotency-Key``. Timeouts, connection failures, 5xx and 429 are ``TransientError``; other
4xx are ``PermanentError``. Either way the outbox keeps the item and retries it.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request

from backend_bridge import crypto

from .base import CaseClient, PermanentError, TransientError

USER_AGENT = "gxxf-portal-bridge/1"


class HttpCaseClient(CaseClient):
    def __init__(self, base_url: str, api_key: str, secret: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.api_key = api_key
        self.secret = secret
        self.timeout = timeout

    def _request(self, method: str, path: str, payload: dict | None = None, key: str = "") -> dict:
        body = b"" if payload is None else json.dumps(payload, ensure_ascii=False).encode()
        timestamp = str(int(time.time()))
        headers = {
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "X-Api-Key": self.api_key,
            "X-Timestamp": timestamp,
            "X-Signature": crypto.sign(self.secret, timestamp, body),
        }
        if payload is not None:
            headers["Content-Type"] = "application/json; charset=utf-8"
        if key:
            headers["Idempotency-Key"] = key
        # The scheme is checked just below: only http(s) is ever opened.
        request = urllib.request.Request(  # noqa: S310
            self.base_url + path,
            data=body if payload is not None else None,
            headers=headers,
            method=method,
        )
        if not request.full_url.startswith(("http://", "https://")):
            raise PermanentError(f"CASE_SYSTEM_URL 不是 http(s) 地址：{self.base_url}")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                raw = response.read()
        except urllib.error.HTTPError as exc:
            detail = _error_text(exc)
            if exc.code >= 500 or exc.code in (408, 425, 429):
                raise TransientError(f"案件系统返回 HTTP {exc.code}：{detail}") from exc
            raise PermanentError(f"案件系统拒绝请求 HTTP {exc.code}：{detail}") from exc
        except TimeoutError as exc:
            raise TransientError(f"案件系统在 {self.timeout:g} 秒内未响应") from exc
        except (urllib.error.URLError, ConnectionError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise TransientError(f"无法连接案件系统：{reason}") from exc
        try:
            return json.loads(raw or b"{}")
        except ValueError as exc:
            raise TransientError("案件系统返回的不是 JSON") from exc

    def submit_case(self, payload: dict, idempotency_key: str) -> dict:
        result = self._request("POST", "/v1/cases", payload, idempotency_key)
        if not result.get("case_id"):
            raise TransientError("案件系统的回复缺少 case_id")
        return result

    def submit_evaluation(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        path = f"/v1/cases/{urllib.parse.quote(case_id, safe='')}/evaluations"
        return self._request("POST", path, payload, idempotency_key)

    def submit_follow_up(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        path = f"/v1/cases/{urllib.parse.quote(case_id, safe='')}/follow-ups"
        return self._request("POST", path, payload, idempotency_key)

    def submit_action(self, case_id: str, payload: dict, idempotency_key: str) -> dict:
        path = f"/v1/cases/{urllib.parse.quote(case_id, safe='')}/actions"
        return self._request("POST", path, payload, idempotency_key)

    def get_case(self, case_id: str) -> dict | None:
        return self._request("GET", f"/v1/cases/{urllib.parse.quote(case_id, safe='')}")


def _error_text(exc: urllib.error.HTTPError) -> str:
    try:
        data = json.loads(exc.read() or b"{}")
        return str(data.get("message") or data.get("code") or exc.reason)[:300]
    except (ValueError, OSError):
        return str(exc.reason)[:300]
