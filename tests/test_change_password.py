"""A signed-in user changes their own password in Settings, giving the current one; the change
ends every session of theirs (this one too) and the new password signs in."""

from __future__ import annotations

import httpx

from tests.harness import Server


def _csrf(ui: httpx.Client) -> str:
    return ui.get("/settings").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _change(ui: httpx.Client, current: str, new: str, confirm: str | None = None):
    form = {"current_password": current, "new_password": new, "confirm_password": confirm or new}
    return ui.post("/settings/password", data={"csrf_token": _csrf(ui), **form})


def test_change_your_password(fresh_server: Server) -> None:
    # A server of its own: sign-ins and password attempts share one throttle per client IP.
    server = fresh_server.start()
    email, old = "pw@x.io", "the-old-password-1"
    with server.client(server.token()) as api:
        api.post("/users", json={"email": email, "role": "viewer", "password": old})
    ui, elsewhere = server.ui_client(email, old), server.ui_client(email, old)
    for current, new, confirm, says in (
        ("wrong-password-99", "a-new-password-1", None, "not your current password"),
        (old, "short", None, "at least 12 characters"),
        (old, "a-new-password-1", "a-new-password-2", "differ"),
    ):
        refused = _change(ui, current, new, confirm)
        assert refused.status_code == 400 and says in refused.text, refused.text[:300]
    changed = _change(ui, old, "a-new-password-1")
    assert changed.status_code == 303 and changed.headers["location"] == "/login?changed=1"
    assert "sign in with the new one" in ui.get("/login?changed=1").text
    assert ui.get("/alerts").is_redirect and elsewhere.get("/alerts").is_redirect  # signed out
    assert server.ui_client(email, "a-new-password-1").get("/alerts").status_code == 200
    with httpx.Client(base_url=server.url) as browser:  # the old password no longer signs in
        token = browser.get("/login").text.split('name="login_token" value="', 1)[1].split('"')[0]
        stale = browser.post("/login", data={"email": email, "password": old, "login_token": token})
        assert stale.status_code == 401
