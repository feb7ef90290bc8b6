"""Every form the UI accepts, sent with the session's CSRF token but hostile values in every
field it might read (empty, blank, 70,000 characters, a NUL, an emoji, numbers out of range,
dates that do not exist, a path, repeated fields, bytes that are not UTF-8), answers 2xx, 3xx or
a 4xx that says what is wrong: never a 5xx. The two upload forms (their token in the query) also
get a malformed multipart body and a body that is not multipart at all."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Server, alert, ui_post_paths

FIELDS = (
    "body", "title", "severity", "status", "assignee", "tags", "description", "reason_code",
    "comment", "ids", "case_id", "type", "value", "at", "summary", "verdict", "root_cause",
    "narrative", "technique", "remove", "add", "scope", "until", "reason", "name", "scopes",
    "expires_at", "email", "role", "password", "new_password", "current_password", "confirm",
    "url", "events", "secret", "active", "disabled",
)  # fmt: skip
HOSTILE = (
    "", " ", "x" * 70_000, "\x00", "🙂", "-1", "9" * 30, "2026-13-45T99:99", "null",
    "[]", "{}", "../../etc/passwd", "case_nope", "true", "on",
)  # fmt: skip
UPLOADS = ("/cases/x_case_id/evidence", "/settings/license")
LEFT_OUT = ("/logout",)  # ends the session the other forms need


@pytest.fixture(scope="module")
def own_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """A server of this module's own: the forms here change and delete what they name."""
    srv = Server(Path(tmp_path_factory.mktemp("hostile")) / "data").start()
    yield srv
    srv.kill()


@pytest.fixture(scope="module")
def signed_in(own_server: Server) -> tuple[httpx.Client, str, dict[str, str]]:
    """The admin's UI session, its CSRF token, and a real object for each path parameter."""
    srv = own_server
    with srv.client(srv.token()) as api:
        alert_id = api.post("/alerts", json=alert("hostile-1")).json()["id"]
        escalated = api.post("/alerts", json=alert("hostile-2")).json()["id"]
        case = api.post(f"/alerts/{escalated}/escalate", json={"case_id": None}).json()["case_id"]
        files = {"file": ("a.txt", b"x", "text/plain")}
        hook = api.post("/webhooks", json={"url": "http://127.0.0.1:9/h", "events": ["*"]})
        suppress = {"type": "domain", "value": "s.example", "reason": "noise"}
        user = {"email": "target@x.example", "role": "analyst"}
        key = {"name": "k", "scopes": ["alerts:read"]}
        ids = {
            "x_alert_id": alert_id,
            "x_case_id": case,
            "x_comment_id": api.post(f"/cases/{case}/comments", json={"body": "hi"}).json()["id"],
            "x_attachment_id": api.post(f"/cases/{case}/attachments", files=files).json()["id"],
            "x_observable_id": api.post(
                f"/cases/{case}/observables", json={"type": "ip", "value": "192.0.2.1"}
            ).json()["id"],
            "x_suppression_id": api.post("/observables/suppress", json=suppress).json()["id"],
            "x_webhook_id": hook.json()["webhook"]["id"],
            "x_user_id": api.post("/users", json=user).json()["user"]["id"],
            "x_key_id": api.post("/api-keys", json=key).json()["key"]["id"],
            "x_delivery_id": "whd_01J00000000000000000000000",
        }
    client = srv.ui_client("admin@irbox.local", srv.first_password)
    csrf = client.get("/settings").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client, csrf, ids


def _filled(path: str, ids: dict[str, str]) -> str:
    for placeholder, value in ids.items():
        path = path.replace(placeholder, value)
    return path


@pytest.mark.parametrize("path", [p for p in ui_post_paths() if p not in LEFT_OUT])
def test_hostile_values_are_refused_not_failed(
    signed_in: tuple[httpx.Client, str, dict[str, str]], path: str
) -> None:
    client, csrf, ids = signed_in
    url = _filled(path, ids)
    answers: dict[str, int] = {}
    for value in HOSTILE:
        data = {"csrf_token": csrf, **{field: value for field in FIELDS}}
        if path == "/settings/password":  # the admin's own: a wrong current password
            data["current_password"] = "not-the-password"
        answers[repr(value)[:20]] = client.post(url, data=data).status_code
    twice = {"csrf_token": csrf, **{field: ["a", "b"] for field in FIELDS}}
    answers["repeated"] = client.post(url, data=twice).status_code
    # Bytes that are not UTF-8 (a lone surrogate's encoding, 0xFF), as a browser never sends.
    raw = f"csrf_token={csrf}&" + "&".join(f"{field}=%ED%A0%80%FF" for field in FIELDS)
    form = {"content-type": "application/x-www-form-urlencoded"}
    answers["not utf-8"] = client.post(url, content=raw.encode(), headers=form).status_code
    if path in UPLOADS:
        upload = f"{url}?csrf={csrf}"
        named = {"file": ("../../x", b"\x00" * 10, "application/octet-stream")}
        answers["multipart"] = client.post(upload, files=named).status_code
        broken = {"content-type": "multipart/form-data; boundary=zz"}
        answers["broken"] = client.post(upload, content=b"--zz\r\nno", headers=broken).status_code
        answers["not multipart"] = client.post(upload, data={"file": "x"}).status_code
    failed = {value: status for value, status in answers.items() if status >= 500}
    assert failed == {}, failed
    assert any(status < 500 for status in answers.values())
