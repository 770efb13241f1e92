"""Loopback simulator of a vendor push service in the style of HUAWEI Push Kit, and of the APP
attestation gateway, for tests and benches.

Push (``PushSimulator(app_id, client_secret)``):
- ``POST /oauth2/v3/token`` (form: grant_type=client_credentials, client_id, client_secret) →
  ``{"access_token", "expires_in", "token_type"}``; wrong credentials → 400 ``invalid_client``.
- ``POST /v1/{app_id}/messages:send`` with ``Authorization: Bearer <access token>`` → ``{"code":
  "80000000", "msg": "Success", "requestId"}``; an unknown or expired access token → 401 with
  code 80200003; a token in ``invalid_tokens`` → 400 with code 80300007.
- Faults for the next N sends: ``fail_next(n, status=503)``, ``expire_access_tokens()``.
Every accepted message is kept in ``messages``.

Attestation (``AttestationSimulator(secret)``): ``POST /verify`` signed with HMAC-SM3 like the
case system's requests; ``{"token", "device_id"}`` is valid when ``token`` was issued for that
device by ``issue(device_id)``.
"""

from __future__ import annotations

import json
import secrets
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from backend_bridge import crypto


class _Server:
    def start(self):
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                status, answer = simulator.handle(self.path, self.headers, body)
                data = json.dumps(answer, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


class PushSimulator(_Server):
    def __init__(self, app_id: str = "104000001", client_secret: str = "push-secret"):  # noqa: S107
        self.app_id = app_id
        self.client_secret = client_secret
        self.lock = threading.Lock()
        self.access_tokens: set[str] = set()
        self.token_requests = 0
        self.messages: list[dict] = []
        self.invalid_tokens: set[str] = set()
        self._faults: list[int] = []

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        self._faults += [status] * n

    def expire_access_tokens(self) -> None:
        with self.lock:
            self.access_tokens.clear()

    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        if path == "/oauth2/v3/token":
            form = urllib.parse.parse_qs(body.decode())
            if (
                form.get("grant_type") != ["client_credentials"]
                or form.get("client_id") != [self.app_id]
                or form.get("client_secret") != [self.client_secret]
            ):
                return 400, {"error": 1101, "error_description": "invalid_client"}
            token = secrets.token_urlsafe(24)
            with self.lock:
                self.access_tokens.add(token)
                self.token_requests += 1
            return 200, {"access_token": token, "expires_in": 3600, "token_type": "Bearer"}
        if path != f"/v1/{self.app_id}/messages:send":
            return 404, {"code": "80100001", "msg": "not found"}
        with self.lock:
            if self._faults:
                return self._faults.pop(0), {"code": "81000001", "msg": "internal error"}
            bearer = (headers.get("Authorization") or "").removeprefix("Bearer ")
            if bearer not in self.access_tokens:
                return 401, {"code": "80200003", "msg": "OAuth token expired"}
            try:
                message = json.loads(body)["message"]
                tokens = message["token"]
                message["notification"]["title"]
            except (ValueError, KeyError, TypeError):
                return 400, {"code": "80100003", "msg": "Illegal payload"}
            if set(tokens) & self.invalid_tokens:
                return 400, {"code": "80300007", "msg": "All the tokens are invalid"}
            self.messages.append(message)
            return 200, {"code": "80000000", "msg": "Success", "requestId": secrets.token_hex(8)}


class AttestationSimulator(_Server):
    def __init__(self, secret: str = "attest-secret"):  # noqa: S107
        self.secret = secret
        self.issued: dict[str, str] = {}

    def issue(self, device_id: str) -> str:
        token = secrets.token_urlsafe(32)
        self.issued[token] = device_id
        return token

    def handle(self, path: str, headers, body: bytes) -> tuple[int, dict]:
        if path != "/verify":
            return 404, {"valid": False}
        if not crypto.verify_signature(
            self.secret, headers.get("X-Timestamp", ""), body, headers.get("X-Signature", "")
        ):
            return 401, {"valid": False, "reason": "bad signature"}
        data = json.loads(body or b"{}")
        device = self.issued.get(data.get("token", ""))
        return 200, {"valid": device is not None, "device_id": device or ""}
