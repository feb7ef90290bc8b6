"""One delivery attempt: the exact stored bytes, signed, POSTed with a total deadline.

`http.client`'s timeout applies to each socket operation, so a receiver that drips its answer
a byte at a time could hold a worker for as long as it likes. A timer shuts the socket down when
the attempt's whole time is up, which ends any read or write in progress."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import socket
import threading
from urllib.parse import urlsplit

MAX_RESPONSE = 64 * 1024


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post(url: str, body: bytes, headers: dict[str, str], timeout: float) -> tuple[int | None, str]:
    """POST once; returns (status, error) with status None when no answer came in time."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    conn = connection_class(parts.hostname or "", parts.port, timeout=timeout)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    expired = threading.Event()

    def expire() -> None:
        expired.set()
        sock = conn.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already closed
                sock.shutdown(socket.SHUT_RDWR)

    timer = threading.Timer(timeout, expire)
    timer.daemon = True
    timer.start()
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        response.read(MAX_RESPONSE)
        if expired.is_set():
            return None, f"timed out after {timeout:g} s"
        return response.status, "" if 200 <= response.status < 300 else f"HTTP {response.status}"
    except (OSError, http.client.HTTPException) as exc:
        if expired.is_set():
            return None, f"timed out after {timeout:g} s"
        return None, f"{type(exc).__name__}: {exc}"[:500]
    finally:
        timer.cancel()
        conn.close()
