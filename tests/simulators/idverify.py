"""Loopback simulator of the real-name verification service (contract in docs/providers.md).

It checks the app key, the signature method, the timestamp window (±300 s), the nonce (never
twice) and the HMAC-SHA256 / HMAC-SM3 signature, then answers from its register ``people``
{id_number: name}: ``match``, ``mismatch`` or ``no_record``. A ``request_id`` seen before gets
the same answer again and is counted in ``duplicates``, not in ``billed``: the idempotency the
client's retries rely on.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import hmac as crypto_hmac

from tests.simulators import Answer, LoopbackSimulator, RecordedRequest

PATH = "/v1/idverify"


def _sm3(data: bytes) -> bytes:
    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


def _hmac_sm3(key: bytes, data: bytes) -> bytes:
    mac = crypto_hmac.HMAC(key, hashes.SM3())
    mac.update(data)
    return mac.finalize()


class IdVerifySimulator(LoopbackSimulator):
    name = "id-verify"
    TIMESTAMP_WINDOW = 300

    def __init__(self, *, sign_method: str = "HMAC-SHA256", **kwargs):
        super().__init__(**kwargs)
        self.app_key = "app-" + uuid.uuid4().hex[:8]
        self.app_secret = "secret-" + uuid.uuid4().hex
        self.sign_method = sign_method
        self.people: dict[str, str] = {}
        self.error_code = "QUOTA_EXHAUSTED"
        self.answers: dict[str, dict] = {}
        self.duplicates = 0
        self._nonces: set[str] = set()

    @property
    def billed(self) -> int:
        return len(self.answers)

    def client_options(self) -> dict:
        return {
            "endpoint": self.url + PATH,
            "app_key": self.app_key,
            "app_secret": self.app_secret,
            "sign_method": self.sign_method,
        }

    def expected_signature(self, method: str, path: str, timestamp: str, nonce: str, body: bytes):
        digest = _sm3(body).hex() if method == "HMAC-SM3" else hashlib.sha256(body).hexdigest()
        text = f"POST\n{path}\n{timestamp}\n{nonce}\n{digest}".encode()
        key = self.app_secret.encode()
        if method == "HMAC-SM3":
            return _hmac_sm3(key, text).hex()
        return hmac.new(key, text, hashlib.sha256).hexdigest()

    def _refuse(self, status: int, code: str, message: str) -> Answer:
        return Answer.json(status, {"code": code, "message": message})

    def handle(self, request: RecordedRequest, behaviour: str) -> Answer:
        h = request.headers
        path = urlsplit(request.path).path
        if request.method != "POST" or path != PATH:
            return self._refuse(404, "NOT_FOUND", "接口不存在")
        if h.get("x-app-key") != self.app_key:
            return self._refuse(401, "APP_KEY_INVALID", "应用标识无效")
        if h.get("x-signature-method") != self.sign_method:
            return self._refuse(401, "SIGN_METHOD_INVALID", "签名算法与应用配置不一致")
        try:
            timestamp = int(h.get("x-timestamp", ""))
        except ValueError:
            return self._refuse(401, "TIMESTAMP_EXPIRED", "时间戳无效")
        if abs(time.time() - timestamp) > self.TIMESTAMP_WINDOW:
            return self._refuse(401, "TIMESTAMP_EXPIRED", "时间戳超出允许范围")
        nonce = h.get("x-nonce", "")
        expected = self.expected_signature(
            self.sign_method, path, h.get("x-timestamp", ""), nonce, request.body
        )
        if not hmac.compare_digest(expected, h.get("x-signature", "")):
            return self._refuse(401, "SIGNATURE_INVALID", "签名校验失败")
        with self._lock:
            reused = nonce in self._nonces
            self._nonces.add(nonce)
        if reused:
            return self._refuse(409, "NONCE_REUSED", "请求随机数已使用")
        try:
            data = json.loads(request.body)
            request_id, name, number = data["request_id"], data["name"], data["id_number"]
        except (ValueError, KeyError, TypeError):
            return self._refuse(400, "BAD_REQUEST", "请求体格式不正确")
        if behaviour == "error":
            return self._refuse(403, self.error_code, "调用额度已用完")
        with self._lock:
            earlier = self.answers.get(request_id)
            if earlier is not None:
                self.duplicates += 1
                return Answer.json(200, earlier)
            registered = self.people.get(number)
            result = (
                "no_record"
                if registered is None
                else ("match" if registered == name else "mismatch")
            )
            answer = {"code": "OK", "result": result, "request_id": request_id, "message": "成功"}
            self.answers[request_id] = answer
        return Answer.json(200, answer)
