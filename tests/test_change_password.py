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


def test_password_guesses_are_throttled(fresh_server: Server) -> None:
    """Guessing the current password in Settings draws on the sign-in throttle of the client's
    address (10 at once, then 20 a minute): a stolen session cannot try passwords freely, and
    sign-in guesses and these share one budget."""
    server = fresh_server.start()
    email, password = "guess@x.io", "the-real-password-1"
    with server.client(server.token()) as api:
        api.post("/users", json={"email": email, "role": "viewer", "password": password})
    ui = server.ui_client(email, password)  # the sign-in takes one of the 10
    statuses = []
    for n in range(15):  # (a token comes back every 3 s: a slow run may get one more)
        answer = _change(ui, f"guess-number-{n}", "a-new-password-1")
        if "Too many attempts" in answer.text:
            break
        statuses.append(answer.status_code)
    else:
        raise AssertionError("password guesses were never throttled")
    assert len(statuses) >= 9 and set(statuses) == {400}
    with httpx.Client(base_url=server.url) as browser:  # signing in from this address too
        for _ in range(2):
            page = browser.get("/login").text
            token = page.split('name="login_token" value="', 1)[1].split('"')[0]
            form = {"email": email, "password": password, "login_token": token}
            late = browser.post("/login", data=form)
            if late.status_code == 429:
                break
        assert late.status_code == 429 and "Too many attempts" in late.text
