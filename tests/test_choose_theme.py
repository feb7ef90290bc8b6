"""A user picks the UI's theme in Settings: system (the default, following the browser), light
or dark; the choice is theirs alone and survives signing out."""

from __future__ import annotations

from tests.harness import Server


def _csrf(page: str) -> str:
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_the_theme_is_the_users_own(server: Server) -> None:
    with server.client(server.token()) as api:
        user = {"email": "dark@x.example", "role": "analyst", "password": "night-shift-2026"}
        assert api.post("/users", json=user).status_code == 201
    ui = server.ui_client("dark@x.example", "night-shift-2026")
    assert "data-theme" not in ui.get("/alerts").text  # the system's scheme
    csrf = _csrf(ui.get("/settings").text)
    chosen = ui.post("/settings/theme", data={"csrf_token": csrf, "theme": "dark"})
    assert chosen.status_code == 303 and chosen.headers["location"] == "/settings#theme"
    assert '<html lang="en" data-theme="dark">' in ui.get("/alerts").text
    admin = server.ui_client("admin@irbox.local", server.first_password)
    assert "data-theme" not in admin.get("/alerts").text  # nobody else's
    ui.post("/logout", data={"csrf_token": csrf})
    again = server.ui_client("dark@x.example", "night-shift-2026")
    assert 'data-theme="dark"' in again.get("/alerts").text


def test_an_unknown_theme_is_refused(server: Server) -> None:
    ui = server.ui_client("admin@irbox.local", server.first_password)
    csrf = _csrf(ui.get("/settings").text)
    refused = ui.post("/settings/theme", data={"csrf_token": csrf, "theme": "purple"})
    assert refused.status_code == 400
    assert "one of system, light, dark" in refused.text
    assert "data-theme" not in ui.get("/alerts").text
