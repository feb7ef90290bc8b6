"""A refusal answered before the body is read (413 mid-upload; 401, 423 before the body) reaches
the clients integrations are written with. httpx and requests write the whole body before they
read: a server that closed with unread bytes made them report "server disconnected" (3 of 8
tries), and an integration that sees a connection error retries forever. irbox reads and drops
the rest of such a body (bounded) before closing: 20 of 20 must read the JSON answer."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator

import httpx
import pytest
import requests

from tests.harness import Server
from tests.test_license import DAY, PUBLIC, _put, license_doc

TRIES = 20
UPLOAD = b"x" * (3 * 1024 * 1024)  # three times the 1 MiB limit set below
BODY = b"[" + b" " * (5 * 1024 * 1024)  # under the JSON limit: refused for who sends it


@pytest.fixture(scope="module")
def small_limit(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    server = Server(tmp_path_factory.mktemp("refusals") / "data")
    server.env.update({"IRBOX_MAX_UPLOAD_MB": "1", "IRBOX_LICENSE_PUBLIC_KEYS": PUBLIC})
    server.start()
    yield server
    server.kill()


def _every_try(status: int, error: str, attempt: Callable[[], tuple[int, bytes]]) -> None:
    answers = []
    for _ in range(TRIES):
        try:
            answers.append(attempt())
        except (httpx.HTTPError, requests.RequestException) as exc:
            answers.append((0, type(exc).__name__.encode()))
    got = [(s, json.loads(b)["error"] if s else b.decode()) for s, b in answers]
    assert got == [(status, error)] * TRIES


def _httpx(url: str, **kw: object) -> Callable[[], tuple[int, bytes]]:
    def attempt() -> tuple[int, bytes]:
        r = httpx.post(url, timeout=30, **kw)  # type: ignore[arg-type]
        return r.status_code, r.content

    return attempt


def _requests(url: str, **kw: object) -> Callable[[], tuple[int, bytes]]:
    def attempt() -> tuple[int, bytes]:
        r = requests.post(url, timeout=30, **kw)  # type: ignore[arg-type]
        return r.status_code, r.content

    return attempt


def test_an_upload_over_the_limit_reads_413(small_limit: Server) -> None:
    token = small_limit.token()
    auth = {"Authorization": f"Bearer {token}"}
    with small_limit.client(token) as api:
        case_id = api.post("/cases", json={"title": "big", "severity": "low"}).json()["id"]
    url = f"{small_limit.url}/api/v1/cases/{case_id}/attachments"
    files = {"file": ("big.bin", UPLOAD)}
    _every_try(413, "payload_too_large", _httpx(url, files=files, headers=auth))
    _every_try(413, "payload_too_large", _requests(url, files=files, headers=auth))


def test_a_body_without_a_token_reads_401(small_limit: Server) -> None:
    url = f"{small_limit.url}/api/v1/alerts"
    json_type = {"Content-Type": "application/json"}
    _every_try(401, "unauthorized", _httpx(url, content=BODY, headers=json_type))
    _every_try(401, "unauthorized", _requests(url, data=BODY, headers=json_type))


def _curl(url: str, *args: str) -> tuple[int, bytes]:
    out = subprocess.run(
        ["curl", "-sS", "-o", "-", "-w", "\n%{http_code}", "--data-binary", "@-",
         "-H", "Content-Type: application/json", *args, url],
        input=BODY, capture_output=True, timeout=60,
    ).stdout  # fmt: skip
    body, _, status = out.rpartition(b"\n")
    return int(status), body


def test_curl_reads_the_refusal_with_and_without_expect(small_limit: Server) -> None:
    url = f"{small_limit.url}/api/v1/alerts"
    for expect in ("Expect: 100-continue", "Expect:"):
        _every_try(401, "unauthorized", lambda e=expect: _curl(url, "-H", e))


def test_a_locked_org_reads_423(small_limit: Server) -> None:
    token = small_limit.token(name="locker")
    with small_limit.client(token) as api:
        assert _put(api, license_doc(-20 * DAY, grace_days=14)).json()["locked"] is True
    url = f"{small_limit.url}/api/v1/alerts"
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {token}"}
    _every_try(423, "license_locked", _httpx(url, content=BODY, headers=headers))
    _every_try(423, "license_locked", _requests(url, data=BODY, headers=headers))
    for expect in ("Expect: 100-continue", "Expect:"):
        _every_try(423, "license_locked", lambda e=expect: _curl(
            url, "-H", e, "-H", f"Authorization: Bearer {token}"
        ))  # fmt: skip
