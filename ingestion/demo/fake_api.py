"""What every fake CRM API server of the demo and the tests shares: a quiet JSON handler and a
threaded server that knows its base URL and numbers the requests it answers.

Each CRM's server (`crm_server` for HubSpot, `salesforce_server`, ...) subclasses these with its
own routes, authentication and error bodies, in the shape of the real API it stands in for;
faults are injected by request number (`FaultPlan`), so a test can say "the 3rd request is rate
limited" and check what the source does.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class FaultPlan:
    """Faults to inject, by the 1-based number of the request that gets them, e.g.
    `{2: "429"}`. Which fault names a server understands is in its module's docstring."""

    at_request: dict[int, str] = field(default_factory=dict)
    retry_after_s: int = 1  # what a rate-limit answer's Retry-After says
    slow_s: float = 3.0  # how long a "slow" answer waits


class JsonHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 with kept-alive connections, no access log, and JSON answers."""

    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body waited for the
    # client's delayed ACK, about 40 ms per answer on a kept-alive connection.
    disable_nagle_algorithm = True
    content_type = "application/json;charset=UTF-8"

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002  (quiet by default)
        return

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def send_json(
        self,
        status: int,
        payload: Any,
        headers: dict[str, str] | None = None,
        truncate: bool = False,
        dumps: Callable[[Any], str] | None = None,
    ) -> None:
        """Answer `payload` as JSON; `truncate` cuts the body in half (a broken transfer)."""
        raw = (dumps or (lambda p: json.dumps(p, ensure_ascii=False)))(payload).encode()
        if truncate:
            raw = raw[: max(1, len(raw) // 2)]
        self.send_response(status)
        self.send_header("Content-Type", self.content_type)
        self.send_header("Content-Length", str(len(raw)))
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(raw)


class FakeApiServer(ThreadingHTTPServer):
    """A threaded server on a free port (port 0) by default; `url` is its base URL once bound,
    `requests` what it was asked, in order."""

    daemon_threads = True
    thread_name = "fake-api"

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        faults: FaultPlan | None = None,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        super().__init__((host, port), handler)
        self.faults = faults or FaultPlan()
        self.requests: list[Any] = []
        self._count_lock = threading.Lock()

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}"

    def record_request(self, entry: Any) -> int:
        """Remember a request; its 1-based number, which `FaultPlan.at_request` is keyed by."""
        with self._count_lock:
            self.requests.append(entry)
            return len(self.requests)

    def fault_for(self, number: int) -> str | None:
        return self.faults.at_request.get(number)

    def start_in_thread(self) -> threading.Thread:
        """Serve in a daemon thread (tests); `shutdown()` then `server_close()` stop it."""
        thread = threading.Thread(target=self.serve_forever, name=self.thread_name, daemon=True)
        thread.start()
        return thread
