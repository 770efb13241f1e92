"""Loopback simulators of the external services (SMS gateways, ID verification, case system).

Test equipment only: product code never imports them. Each simulator is an ``http.server`` on
127.0.0.1 with port 0 (the OS picks a free one), served from a daemon thread, and derives from
``LoopbackSimulator`` here, which gives every simulator the same controls:

- ``sim.url``: the base URL to point a provider at; ``sim.requests``: every request received.
- ``sim.script("timeout", "ok")``: how the next requests are answered, in order; afterwards
  ``sim.default`` applies ("ok" unless changed). Behaviours:
  ``ok``; ``error`` (the service's documented error answer, ``sim.error_code``);
  ``http_500`` (HTTP 5xx); ``timeout`` (the request is processed, then the answer is held for
  ``sim.delay`` seconds, longer than the client's timeout: a success the client never sees);
  ``twice`` (the request is processed, then its answer is lost on the way back: HTTP 502, so
  a client that retries sends it again and must get the first answer, not a second effect).
- used as a context manager, or ``start()``/``stop()``; ``stop()`` wakes any held answer.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

BEHAVIOURS = ("ok", "error", "http_500", "timeout", "twice")


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    behaviour: str = "ok"
    answer: dict = field(default_factory=dict)
    answer_lost: Answer | None = None

    def json(self):
        return json.loads(self.body)


@dataclass
class Answer:
    status: int
    body: bytes
    content_type: str = "application/json; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)  # extra ones, e.g. Location

    @classmethod
    def json(cls, status: int, data) -> Answer:
        return cls(status, json.dumps(data, ensure_ascii=False).encode())


class LoopbackSimulator:
    """Subclasses implement ``handle(request, behaviour) -> Answer``."""

    name = "simulator"

    def __init__(self, *, delay: float = 1.0, latency: float = 0.0):
        self.requests: list[RecordedRequest] = []
        self.default = "ok"
        self.delay = delay
        self.latency = latency  # seconds every answer takes, like a far-away service (benchmarks)
        self.error_code = ""
        self._script: deque[str] = deque()
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._address: tuple[str, int] | None = None

    # --- control ---------------------------------------------------------------------------------
    def script(self, *behaviours: str) -> None:
        for behaviour in behaviours:
            if behaviour not in BEHAVIOURS:
                raise ValueError(f"unknown behaviour {behaviour!r}; one of {BEHAVIOURS}")
        with self._lock:
            self._script.extend(behaviours)

    def _next_behaviour(self) -> str:
        with self._lock:
            return self._script.popleft() if self._script else self.default

    @property
    def url(self) -> str:
        # Still answers after stop(), so a test can aim a client at a closed port.
        assert self._address is not None, "simulator not started"
        host, port = self._address
        return f"http://{host}:{port}"

    def start(self) -> LoopbackSimulator:
        simulator = self
        self._stopping.clear()

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format, *args):  # keep test output quiet
                pass

            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                simulator._respond(self, body)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._address = self._server.server_address[:2]
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"{self.name}-sim",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    # --- serving ---------------------------------------------------------------------------------
    def handle(self, request: RecordedRequest, behaviour: str) -> Answer:
        raise NotImplementedError

    def _respond(self, handler: BaseHTTPRequestHandler, body: bytes) -> None:
        if self.latency:
            time.sleep(self.latency)
        behaviour = self._next_behaviour()
        request = RecordedRequest(
            handler.command, handler.path, {k.lower(): v for k, v in handler.headers.items()}, body
        )
        request.behaviour = behaviour
        with self._lock:
            self.requests.append(request)
        if behaviour == "http_500":
            answer = Answer(503, b"<html><body>503 Service Temporarily Unavailable</body></html>")
            answer.content_type = "text/html"
        else:
            answer = self.handle(request, behaviour)
            if behaviour == "twice":
                request.answer_lost = answer
                answer = Answer(502, b"<html><body>502 Bad Gateway</body></html>", "text/html")
        try:
            request.answer = json.loads(answer.body)
        except ValueError:
            request.answer = {}
        if behaviour == "timeout" and self._stopping.wait(self.delay):
            return  # the simulator is stopping: drop the held answer
        try:
            handler.send_response(answer.status)
            handler.send_header("Content-Type", answer.content_type)
            handler.send_header("Content-Length", str(len(answer.body)))
            for name, value in answer.headers.items():
                handler.send_header(name, value)
            handler.end_headers()
            handler.wfile.write(answer.body)
        except OSError:  # the client gave up (timeout) and closed the connection
            pass
