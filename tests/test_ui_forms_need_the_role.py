"""A viewer's session, with a valid CSRF token, still cannot use any form that changes
investigation data or settings, nor an analyst's the admins' forms: the server checks the role
on every UI form, not only the page that hides the button."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import Server, ui_post_paths

# Forms any signed-in user may use on their own account.
OWN_ACCOUNT = {"/logout", "/notifications/read", "/settings/api-keys",
               "/settings/api-keys/x_key_id/revoke", "/settings/password", "/settings/theme",
               "/settings/mfa/begin", "/settings/mfa/confirm", "/settings/mfa/recovery-codes",
               "/settings/mfa/off", "/settings/subscriptions", "/settings/test-mail",
               "/alerts/views", "/alerts/views/x_view_id/delete"}  # fmt: skip


CHANGING = [p for p in ui_post_paths() if p not in OWN_ACCOUNT]
ADMIN_AREAS = ("/settings/users", "/settings/webhooks", "/settings/license", "/settings/sla",
               "/settings/custom-fields", "/settings/templates", "/settings/reports",
               "/settings/grouping-rules",
               "/cases/x_case_id/save-template")  # fmt: skip
ADMIN_ONLY = [p for p in CHANGING if p.startswith(ADMIN_AREAS)]
FIELDS = {"reason_code": "benign", "ids": "alert_x", "body": "hi", "title": "t", "severity": "low",
          "type": "ip", "value": "192.0.2.1", "reason": "r", "email": "z@x.example",
          "role": "admin", "url": "http://127.0.0.1:9/"}  # fmt: skip


def test_the_exceptions_are_real_forms() -> None:
    assert set(ui_post_paths()) >= OWN_ACCOUNT and len(ADMIN_ONLY) >= 6


def _signed_in(server: Server, role: str) -> tuple[httpx.Client, str]:
    email, password = f"{role}-forms@x.example", f"{role}-password-9"
    with server.client(server.token()) as api:
        api.post("/users", json={"email": email, "role": role, "password": password})
    client = server.ui_client(email, password)
    page = client.get("/settings").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client, csrf


@pytest.fixture(scope="module")
def viewer(server: Server) -> tuple[httpx.Client, str]:
    return _signed_in(server, "viewer")


@pytest.fixture(scope="module")
def analyst(server: Server) -> tuple[httpx.Client, str]:
    return _signed_in(server, "analyst")


def _post(signed_in: tuple[httpx.Client, str], path: str) -> httpx.Response:
    client, csrf = signed_in
    return client.post(f"{path}?csrf={csrf}", data={"csrf_token": csrf, **FIELDS})


@pytest.mark.parametrize("path", CHANGING)
def test_viewer_cannot_use_the_form(viewer: tuple[httpx.Client, str], path: str) -> None:
    answer = _post(viewer, path)
    assert answer.status_code == 403, (path, answer.status_code, answer.text[:200])
    assert answer.text == "Your role does not allow this."


@pytest.mark.parametrize("path", ADMIN_ONLY)
def test_analyst_cannot_use_an_admin_form(analyst: tuple[httpx.Client, str], path: str) -> None:
    answer = _post(analyst, path)
    assert answer.status_code == 403, (path, answer.status_code, answer.text[:200])
    assert answer.text == "Your role does not allow this."
