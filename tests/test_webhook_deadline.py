"""A webhook attempt has a total deadline: a receiver that drips its answer a byte at a time
cannot hold a delivery worker past `webhook_timeout_s`."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable

from irbox.webhooks.sender import post


def _receiver(answer: Callable[[socket.socket], None]) -> int:
    """A one-request HTTP receiver on a free port: reads the request, then `answer` writes."""
    server = socket.create_server(("127.0.0.1", 0))

    def serve() -> None:
        conn, _ = server.accept()
        conn.recv(65536)
        answer(conn)
        conn.close()
        server.close()

    threading.Thread(target=serve, daemon=True).start()
    return server.getsockname()[1]


def test_dripping_receiver_times_out_as_a_whole() -> None:
    stop = threading.Event()

    def drip(conn: socket.socket) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n")
        while not stop.is_set():  # one byte every 0.2 s: each read succeeds, none ends
            try:
                conn.sendall(b"x")
            except OSError:
                break
            time.sleep(0.2)

    port = _receiver(drip)
    started = time.monotonic()
    try:
        status, error = post(f"http://127.0.0.1:{port}/hook", b"{}", {}, timeout=1.0)
    finally:
        stop.set()
    took = time.monotonic() - started
    assert (status, error) == (None, "timed out after 1 s")
    assert took < 10  # the drip would last 200 s (1,000 bytes); per-read timeouts never fire


def test_a_prompt_receiver_is_unaffected() -> None:
    port = _receiver(lambda conn: conn.sendall(b"HTTP/1.1 204 No Content\r\n\r\n"))
    assert post(f"http://127.0.0.1:{port}/", b"{}", {}, timeout=5.0) == (204, "")
