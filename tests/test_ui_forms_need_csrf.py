"""Every form the UI accepts (each POST route of the UI router) refuses a request without the
session's CSRF token, and sends a visitor without a session to the sign-in page."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import Server, ui_post_paths

POST_PATHS = ui_post_paths()


def test_the_matrix_covers_every_form() -> None:
    assert len(POST_PATHS) >= 20 and "/alerts/bulk" in POST_PATHS


@pytest.fixture(scope="module")
def signed_in(server: Server) -> httpx.Client:
    return server.ui_client("admin@irbox.local", server.first_password)


@pytest.mark.parametrize("path", POST_PATHS)
def test_form_without_csrf_token_is_refused(signed_in: httpx.Client, path: str) -> None:
    audit_before = signed_in.get("/settings/audit").text.count("<tr>")
    answer = signed_in.post(path, data={"csrf_token": "forged", "reason_code": "benign"})
    assert answer.status_code == 403, answer.text
    assert "did not come from irbox" in answer.text
    assert signed_in.get("/settings/audit").text.count("<tr>") == audit_before  # nothing done


@pytest.mark.parametrize("path", POST_PATHS)
def test_form_without_a_session_goes_to_sign_in(server: Server, path: str) -> None:
    answer = httpx.post(server.url + path, data={"csrf_token": "x"})
    assert answer.status_code == 302 and answer.headers["location"] == "/login"


def test_sign_in_needs_the_forms_own_token(server: Server) -> None:
    """Another site cannot post the sign-in form: no session without the login token."""
    login = {"email": "admin@irbox.local", "password": server.first_password}
    bare = httpx.post(server.url + "/login", data=login)
    assert bare.status_code == 403 and "irbox_session" not in bare.cookies
    with httpx.Client(base_url=server.url) as client:
        client.get("/login")  # the cookie alone is not enough either
        forged = client.post("/login", data={**login, "login_token": "guess"})
        assert forged.status_code == 403 and "irbox_session" not in client.cookies
    server.ui_client(login["email"], login["password"]).close()  # the real form works
