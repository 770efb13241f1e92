"""Loopback simulator of the case system (docs/case-system-openapi.yaml) for tests and benches.

``CaseSystemSimulator(secret=…)`` serves the contract on 127.0.0.1: it checks request
signatures, honours idempotency keys (a repeated key is answered with the first answer and never
creates a second case), keeps every case, evaluation and follow-up, and can be told to
misbehave for the next N writes (``fail_next`` also for reads):

- ``fail_next(n, status=503)``: refuse without doing anything;
- ``timeout_next(n, delay)``: do the work (commit) and then answer only after ``delay`` seconds,
  so a client with a shorter timeout sees a timeout that hides a success;
- ``answer_twice_next(n)``: do the work and answer 502 as if the answer was lost, so the client
  retries and gets the first answer a second time (replayed from the idempotency store).

It can also build signed status webhooks (``webhook(case_id)``), optionally to send twice.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from backend_bridge import crypto


def _now_iso() -> str:
    return datetime.now(UTC).isoformat()


class CaseSystemSimulator:
    def __init__(
        self, *, secret: str, api_key: str = "portal", webhook_secret: str = "", port: int = 0
    ):
        self.secret = secret
        self.api_key = api_key
        self.webhook_secret = webhook_secret
        self.requested_port = port
        self.lock = threading.Lock()
        self.cases: dict[str, dict] = {}
        self.by_reference: dict[str, str] = {}
        self.idempotent: dict[str, tuple[int, dict]] = {}
        self.evaluations: list[dict] = []
        self.follow_ups: list[dict] = []
        self.actions: list[dict] = []
        self.requests: list[dict] = []
        self._faults: list[tuple[str, float]] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._counter = 0

    # --- lifecycle ---------------------------------------------------------------------------

    def start(self) -> CaseSystemSimulator:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                simulator._handle(self, "GET")

            def do_POST(self):
                simulator._handle(self, "POST")

        self._server = ThreadingHTTPServer(("127.0.0.1", self.requested_port), Handler)
        self._server.daemon_threads = True
        self.requested_port = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.requested_port}"

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- faults ------------------------------------------------------------------------------

    def fail_next(self, n: int = 1, status: int = 503) -> None:
        self._faults += [("fail", status)] * n

    def timeout_next(self, n: int = 1, delay: float = 1.5) -> None:
        self._faults += [("timeout", delay)] * n

    def answer_twice_next(self, n: int = 1) -> None:
        self._faults += [("twice", 0)] * n

    # --- case handling (what a real case system's staff would do) ----------------------------

    def set_status(self, case_id: str, status: str, note: str = "", **fields) -> dict:
        with self.lock:
            case = self.cases[case_id]
            event = {
                "event_id": uuid.uuid4().hex,
                "status": status,
                "note": note,
                "occurred_at": fields.pop("occurred_at", None) or _now_iso(),
            }
            case["events"].append(event)
            case["status"] = status
            case.update(fields)
            return event

    def document(self, case_id: str) -> dict:
        case = self.cases[case_id]
        return {k: v for k, v in case.items() if k != "submission"}

    def webhook(
        self, case_id: str, *, secret: str | None = None, timestamp: int | None = None
    ) -> tuple[bytes, dict]:
        """Body and headers of a signed status webhook for the case's latest event."""
        case = self.cases[case_id]
        event = case["events"][-1]
        payload = {
            **event,
            "case_id": case_id,
            "reference": case["reference"],
            "reply": case.get("reply", ""),
            "handling_unit": case.get("handling_unit", ""),
            "extension_days": case.get("extension_days", 0),
        }
        body = json.dumps(payload, ensure_ascii=False).encode()
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        signature = crypto.sign(self.webhook_secret if secret is None else secret, stamp, body)
        return body, {"X-Timestamp": stamp, "X-Signature": signature}

    # --- HTTP --------------------------------------------------------------------------------

    def _reply(self, handler, status: int, body: dict) -> None:
        data = json.dumps(body, ensure_ascii=False).encode()
        try:
            handler.send_response(status)
            handler.send_header("Content-Type", "application/json; charset=utf-8")
            handler.send_header("Content-Length", str(len(data)))
            handler.end_headers()
            handler.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (timeout): that is the point of the fault

    def _handle(self, handler, method: str) -> None:
        length = int(handler.headers.get("Content-Length") or 0)
        body = handler.rfile.read(length) if length else b""
        path = handler.path
        with self.lock:
            self.requests.append(
                {"method": method, "path": path, "key": handler.headers.get("Idempotency-Key", "")}
            )
        stamp = handler.headers.get("X-Timestamp", "")
        if handler.headers.get("X-Api-Key") != self.api_key or not crypto.verify_signature(
            self.secret, stamp, body, handler.headers.get("X-Signature", "")
        ):
            return self._reply(handler, 401, {"code": "bad_signature", "message": "签名无效"})
        parts = [p for p in path.split("?")[0].split("/") if p]
        if method == "GET" and len(parts) == 3 and parts[:2] == ["v1", "cases"]:
            with self.lock:
                if self._faults and self._faults[0][0] == "fail":
                    status = int(self._faults.pop(0)[1])
                    return self._reply(
                        handler, status, {"code": "unavailable", "message": "系统维护中"}
                    )
                if parts[2] not in self.cases:
                    return self._reply(handler, 404, {"code": "not_found", "message": "无此案件"})
                return self._reply(handler, 200, self.document(parts[2]))
        if method != "POST":
            return self._reply(handler, 405, {"code": "method_not_allowed", "message": "不支持"})
        key = handler.headers.get("Idempotency-Key", "")
        if not key:
            return self._reply(
                handler, 400, {"code": "missing_key", "message": "缺少 Idempotency-Key"}
            )
        fault = None
        with self.lock:
            if self._faults:
                fault = self._faults.pop(0)
            if fault and fault[0] == "fail":
                pass
            elif key in self.idempotent:
                status, answer = self.idempotent[key]
                fault = None  # a replay is always answered
                replay = (status, {**answer, "replayed": True})
            else:
                replay = None
        if fault and fault[0] == "fail":
            return self._reply(
                handler, int(fault[1]), {"code": "unavailable", "message": "系统维护中"}
            )
        if replay:
            return self._reply(handler, *replay)
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return self._reply(handler, 400, {"code": "invalid_json", "message": "JSON 无效"})
        with self.lock:
            if key in self.idempotent:  # a concurrent duplicate won the race
                status, answer = self.idempotent[key]
                return self._reply(handler, status, {**answer, "replayed": True})
            status, answer = self._write(parts, payload)
            if status < 300:
                self.idempotent[key] = (status, answer)
        if fault and fault[0] == "timeout":
            time.sleep(float(fault[1]))
        elif fault and fault[0] == "twice":
            return self._reply(handler, 502, {"code": "bad_gateway", "message": "网关错误"})
        return self._reply(handler, status, answer)

    def _write(self, parts: list[str], payload: dict) -> tuple[int, dict]:
        if parts == ["v1", "cases"]:
            self._counter += 1
            case_id = f"GX{datetime.now(UTC):%Y%m%d}{self._counter:06d}"
            received = _now_iso()
            self.cases[case_id] = {
                "case_id": case_id,
                "reference": payload.get("reference", ""),
                "status": "submitted",
                "reply": "",
                "handling_unit": "",
                "extension_days": 0,
                "events": [],
                "submission": payload,
            }
            self.by_reference[payload.get("reference", "")] = case_id
            return 201, {"case_id": case_id, "received_at": received}
        if len(parts) == 4 and parts[:2] == ["v1", "cases"] and parts[2] in self.cases:
            record = {"case_id": parts[2], **payload}
            if parts[3] == "evaluations":
                self.evaluations.append(record)
                return 201, {"case_id": parts[2], "accepted": True}
            if parts[3] == "follow-ups":
                self.follow_ups.append(record)
                return 201, {"case_id": parts[2], "accepted": True}
            if parts[3] == "actions":
                # A staff step of the portal's handling APP/inbox becomes the case's own event.
                record["event_id"] = uuid.uuid4().hex
                self.actions.append(record)
                if payload.get("type") == "status" and payload.get("status"):
                    case = self.cases[parts[2]]
                    case["events"].append(
                        {
                            "event_id": record["event_id"],
                            "status": payload["status"],
                            "note": payload.get("note", ""),
                            "occurred_at": payload.get("acted_at") or _now_iso(),
                        }
                    )
                    case["status"] = payload["status"]
                    if payload.get("reply"):
                        case["reply"] = payload["reply"]
                return 201, {"case_id": parts[2], "event_id": record["event_id"]}
        return 404, {"code": "not_found", "message": "无此资源"}
