"""A real HTTP receiver for webhook tests, on 127.0.0.1: records every request, answers with
the status its current plan says (e.g. fail twice, then succeed), optionally slowly."""

from __future__ import annotations

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from tests.harness import free_port


class Received:
    def __init__(self, path: str, headers: dict[str, str], body: bytes) -> None:
        self.path = path
        self.headers = headers
        self.body = body
        self.at = time.monotonic()
        self.at_wall = time.time()


class Receiver:
    def __init__(self, port: int | None = None) -> None:
        self.port = port or free_port()
        self.requests: list[Received] = []
        self.statuses: list[int] = []  # answered in order; then `default_status`
        self.default_status = 200
        self.delay_s = 0.0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> Receiver:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                if len(body) < length:  # the sender died mid-request (a crash test's kill -9):
                    return  # no delivery was made, as any HTTP server would see it
                with receiver._lock:
                    receiver.requests.append(Received(self.path, dict(self.headers), body))
                    status = (
                        receiver.statuses.pop(0) if receiver.statuses else receiver.default_status
                    )
                if receiver.delay_s:
                    time.sleep(receiver.delay_s)
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "2")
                    self.end_headers()
                    self.wfile.write(b"ok")
                except OSError:
                    pass  # the sender gave up waiting

            def log_message(self, *args: object) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def wait_for(self, count: int, timeout: float = 10) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.requests) >= count:
                    return list(self.requests)
            time.sleep(0.02)
        raise AssertionError(f"expected {count} requests, got {len(self.requests)}")

    def wait_for_deliveries(self, count: int, timeout: float = 10) -> list[Received]:
        """The first request of each of `count` distinct deliveries (`X-IR-Delivery`): delivery
        is at least once, so a slow answer may bring a delivery twice."""
        deadline = time.monotonic() + timeout
        while True:
            with self._lock:
                first = {r.headers.get("X-IR-Delivery"): r for r in reversed(self.requests)}
            if len(first) >= count or time.monotonic() >= deadline:
                break
            time.sleep(0.02)
        assert len(first) >= count, f"expected {count} deliveries, got {len(first)}"
        return sorted(first.values(), key=lambda r: r.at)
