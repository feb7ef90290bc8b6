"""Refuse before reading (the spec's order of checks): a caller who fails authentication, scope,
the license lock or the rate limit is answered while its body is still on the way: nothing of
it is read, spooled or inflated, so many such connections cost the server no memory. A replay
of an Idempotency-Key never answers a caller who would be refused now, and no secret shown
once is kept in the idempotency records."""

from __future__ import annotations

import contextlib
import gzip
import json
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import user_token
from tests.harness import Server, alert
from tests.test_license import DAY, _put, license_doc

BIG = 8 * 1024 * 1024 - 1  # the JSON body limit less one byte


def _send_headers_and_part(
    server: Server, path: str, headers: dict[str, str], length: int = BIG
) -> socket.socket:
    """A raw connection that sent the request's headers and 64 KiB of a `length`-byte body."""
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", f"Content-Length: {length}"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + b"[" + b" " * (64 * 1024))
    return sock


def _status_while_incomplete(sock: socket.socket) -> tuple[int, dict]:
    """The status and JSON body the server answered, read without sending the rest."""
    data = b""
    while b"\r\n\r\n" not in data or len(data.split(b"\r\n\r\n", 1)[1]) < _length(data):
        chunk = sock.recv(65536)
        assert chunk, f"closed without a complete answer: {data!r}"
        data += chunk
    head, body = data.split(b"\r\n\r\n", 1)
    return int(head.split()[1]), json.loads(body[: _length(data)])


def _length(data: bytes) -> int:
    head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1").lower()
    for line in head.split("\r\n"):
        if line.startswith("content-length:"):
            return int(line.split(":", 1)[1])
    return 1 << 30


@pytest.mark.parametrize(
    "path, extra",
    [
        ("/api/v1/alerts", {"Content-Type": "application/json"}),
        ("/api/v1/alerts", {"Content-Type": "application/json", "Content-Encoding": "gzip"}),
        ("/api/v1/alerts", {"Content-Type": "application/json", "Idempotency-Key": "k1"}),
        ("/api/v1/cases", {"Content-Type": "application/json"}),
        ("/api/v1/cases/case_x/attachments", {"Content-Type": "multipart/form-data; boundary=b"}),
        ("/api/v1/alerts/alert_x/dismiss", {"Content-Type": "application/json"}),
    ],
)
def test_no_token_is_answered_401_before_the_body(server: Server, path: str, extra: dict) -> None:
    with _send_headers_and_part(server, path, extra) as sock:
        status, body = _status_while_incomplete(sock)
    assert status == 401 and body["error"] == "unauthorized"
    with _send_headers_and_part(server, path, {**extra, "Authorization": "Bearer nope"}) as sock:
        assert _status_while_incomplete(sock)[0] == 401


def test_missing_scope_is_answered_403_before_the_body(server: Server, api: httpx.Client) -> None:
    reader = user_token(server, api, "viewer")
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {reader}"}
    for extra in ({}, {"Content-Encoding": "gzip"}, {"Idempotency-Key": "k2"}):
        with _send_headers_and_part(server, "/api/v1/alerts", {**headers, **extra}) as sock:
            status, body = _status_while_incomplete(sock)
        assert status == 403 and body["details"]["required_scope"] == "alerts:write"


def _worker_rss_kb(server: Server) -> int:
    """Resident memory of the server's processes (Granian's supervisor and its worker)."""
    assert server.proc is not None
    pids = subprocess.run(
        ["pgrep", "-g", str(server.proc.pid)], capture_output=True, text=True
    ).stdout.split()
    total = 0
    for pid in pids:
        status = Path(f"/proc/{pid}/status").read_text()
        total += int(status.split("VmRSS:", 1)[1].split()[0])
    return total


def test_many_unauthenticated_bodies_cost_no_memory(fresh_server: Server) -> None:
    server = fresh_server.start()
    before = _worker_rss_kb(server)
    socks = []
    for i in range(40):
        sock = _send_headers_and_part(server, "/api/v1/alerts", {
            "Content-Type": "application/json", **({"Idempotency-Key": f"k{i}"} if i % 2 else {}),
        })  # fmt: skip
        socks.append(sock)
        # The rest of the body, all but its last byte, as an attacker would.
        sock.settimeout(10)
        with contextlib.suppress(OSError):  # the server may close a refused connection
            sock.sendall(b" " * (4 * 1024 * 1024))
    time.sleep(1)
    after = _worker_rss_kb(server)
    for sock in socks:
        sock.close()
    # 40 bodies of 4 MiB held or spooled would be 160 MiB; a few MB of noise is allowed.
    assert after - before < 40 * 1024, (before, after)
    assert httpx.get(server.url + "/healthz").status_code == 200


def test_a_revoked_key_gets_no_replay(server: Server, api: httpx.Client) -> None:
    token = api.post("/api-keys", json={"name": "soon revoked"}).json()
    body, headers = alert("replay-revoked"), {"Idempotency-Key": "revoked-1"}
    with server.client(token["token"]) as siem:
        assert siem.post("/alerts", json=body, headers=headers).status_code == 201
        replay = siem.post("/alerts", json=body, headers=headers)
        assert replay.headers.get("idempotent-replayed") == "true"
        api.delete(f"/api-keys/{token['key']['id']}")
        refused = siem.post("/alerts", json=body, headers=headers)
    assert refused.status_code == 401 and "idempotent-replayed" not in refused.headers


def test_a_locked_org_gets_no_replay(fresh_server: Server) -> None:
    from tests.test_license import PUBLIC

    fresh_server.env["IRBOX_LICENSE_PUBLIC_KEYS"] = PUBLIC
    server = fresh_server.start()
    with server.client(server.token()) as api:
        body, headers = alert("replay-locked"), {"Idempotency-Key": "locked-1"}
        assert api.post("/alerts", json=body, headers=headers).status_code == 201
        assert _put(api, license_doc(-20 * DAY, grace_days=14)).json()["locked"] is True
        refused = api.post("/alerts", json=body, headers=headers)
    assert refused.status_code == 423 and "idempotent-replayed" not in refused.headers


def _idempotency_rows(server: Server) -> bytes:
    with server.database() as conn:
        rows = conn.execute("SELECT * FROM idempotency_keys").fetchall()
    return repr([tuple(row) for row in rows]).encode()


def test_no_secret_is_kept_for_a_replay(fresh_server: Server) -> None:
    server = fresh_server.start()
    with server.client(server.token()) as api:
        for path, body, secret in (
            ("/api-keys", {"name": "ci"}, "token"),
            ("/users", {"email": "new@example.test", "role": "analyst", "name": "N"}, "password"),
            ("/webhooks", {"url": "http://127.0.0.1:9/h", "events": ["case.created"]}, "secret"),
        ):
            headers = {"Idempotency-Key": f"secret-{secret}"}
            first = api.post(path, json=body, headers=headers)
            assert first.status_code == 201 and first.json()[secret], first.text
            shown = first.json()[secret]
            assert shown.encode() not in _idempotency_rows(server)
            # Nowhere in the database, a webhook's secret included (sealed: irbox.sealed).
            assert shown.encode() not in server.stored_bytes()
            replay = api.post(path, json=body, headers=headers)
            assert replay.status_code == 201
            assert replay.headers["idempotent-replayed"] == "true"
            assert replay.headers["idempotent-withheld"] == secret
            assert replay.json()[secret] is None
            assert {k: v for k, v in replay.json().items() if k != secret} == {
                k: v for k, v in first.json().items() if k != secret
            }


def test_gzip_body_of_an_authorized_caller_still_works(server: Server, admin_token: str) -> None:
    body = gzip.compress(json.dumps(alert("gz-ok")).encode())
    r = httpx.post(
        server.url + "/api/v1/alerts",
        content=body,
        headers={
            "Authorization": f"Bearer {admin_token}",
            "Content-Type": "application/json",
            "Content-Encoding": "gzip",
        },
    )
    assert r.status_code == 201, r.text


def test_a_connection_that_never_finishes_its_headers_is_closed(fresh_server: Server) -> None:
    fresh_server.env["IRBOX_HEADER_TIMEOUT_S"] = "1"
    server = fresh_server.start()
    slow = [socket.create_connection(("127.0.0.1", server.port)) for _ in range(20)]
    for sock in slow:
        sock.sendall(b"POST /api/v1/alerts HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        sock.settimeout(10)
    assert httpx.get(server.url + "/healthz").status_code == 200  # the others are served
    started = time.monotonic()
    for sock in slow:
        with sock:
            assert sock.recv(1024) == b""  # closed without an answer
    assert time.monotonic() - started < 9  # closed by the server, not the socket's timeout
