"""The first admin's first sign-in: the password irbox generated (left in a 0600 file in the
data dir, not printed) must be replaced before anything else; the file goes with it. API keys
made at the machine work all along."""

from __future__ import annotations

import httpx

from tests.harness import Server


def _signed_in(server: Server, password: str) -> httpx.Client:
    client = httpx.Client(base_url=server.url, timeout=30)
    page = client.get("/login").text
    token = page.split('name="login_token" value="', 1)[1].split('"', 1)[0]
    form = {"email": "admin@irbox.local", "password": password, "login_token": token}
    assert client.post("/login", data=form).is_redirect
    return client


def test_the_generated_password_must_be_replaced_first(fresh_server: Server) -> None:
    server = fresh_server.start()
    generated = server.first_password
    written = server.data_dir / "first-admin-password"
    assert written.read_text().strip() == generated
    assert generated not in server.first_output  # not on the terminal, nor in the journal
    with server.client(server.token()) as api:  # keys are not held up
        assert api.get("/alerts").status_code == 200

    client = _signed_in(server, generated)
    for path in ("/alerts", "/cases", "/dashboard", "/observables"):
        answer = client.get(path)
        assert answer.is_redirect and answer.headers["location"] == "/settings#password"
    settings = client.get("/settings")
    assert settings.status_code == 200 and "Choose your own to go on" in settings.text
    refused = client.get("/alerts", headers={"HX-Request": "true"})
    assert refused.headers["hx-redirect"] == "/settings#password"

    chosen = server.change_first_password("admin@irbox.local", generated)
    assert not written.exists()
    again = _signed_in(server, chosen)
    assert again.get("/alerts").status_code == 200
    assert "Choose your own" not in again.get("/settings").text
