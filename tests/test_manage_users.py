"""/users (admin) and /me."""

from __future__ import annotations

import httpx

from tests.harness import Server


def test_create_list_get_update_user(api: httpx.Client, unique: str) -> None:
    email = f"Ana-{unique}@Example.com"
    r = api.post("/users", json={"email": email, "role": "analyst", "name": "Ana"})
    assert r.status_code == 201
    created = r.json()
    user = created["user"]
    assert user["id"].startswith("user_") and user["email"] == email.lower()
    assert user["role"] == "analyst" and user["disabled"] is False
    assert len(created["password"]) >= 16  # generated, shown once
    assert api.get(f"/users/{user['id']}").json() == user
    listed = api.get("/users").json()
    assert listed["next_cursor"] is None
    assert user["id"] in [u["id"] for u in listed["items"]]
    patched = api.patch(f"/users/{user['id']}", json={"role": "viewer", "name": "Ana B"}).json()
    assert patched["role"] == "viewer" and patched["name"] == "Ana B"
    assert "password" not in api.get(f"/users/{user['id']}").json()


def test_user_validation(api: httpx.Client, unique: str) -> None:
    r = api.post("/users", json={"email": "not-an-email", "role": "boss", "password": "short"})
    assert r.status_code == 400
    assert set(r.json()["details"]) == {"email", "role", "password"}
    email = f"dup-{unique}@example.com"
    assert api.post("/users", json={"email": email, "role": "viewer"}).status_code == 201
    r = api.post("/users", json={"email": email.upper(), "role": "viewer"})
    assert r.status_code == 400 and "email" in r.json()["details"]
    assert api.patch("/users/user_01J00000000000000000000000", json={}).status_code == 404
    me = api.get("/me").json()
    assert api.patch(f"/users/{me['id']}", json={"role": "superuser"}).status_code == 400


def test_last_admin_cannot_be_demoted_or_disabled(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as admin:
        me = admin.get("/me").json()
        for change in ({"role": "analyst"}, {"disabled": True}):
            r = admin.patch(f"/users/{me['id']}", json=change)
            assert r.status_code == 409 and r.json()["error"] == "invalid_state"


def test_me_describes_the_caller(server: Server, api: httpx.Client) -> None:
    token = server.token(scopes="alerts:read,cases:read", name="me-test")
    with server.client(token) as c:
        me = c.get("/me").json()
    assert me["email"] == "admin@irbox.local" and me["role"] == "admin"
    assert me["scopes"] == ["alerts:read", "cases:read"]
    assert me["key_id"].startswith("key_")


def test_disabling_or_a_new_password_signs_the_user_out(
    server: Server, api: httpx.Client, unique: str
) -> None:
    created = api.post("/users", json={"email": f"out-{unique}@x.io", "role": "analyst"}).json()
    user_id, email, password = created["user"]["id"], created["user"]["email"], created["password"]
    ui = server.ui_client(email, password)
    assert ui.get("/alerts").status_code == 200
    api.patch(f"/users/{user_id}", json={"disabled": True})
    api.patch(f"/users/{user_id}", json={"disabled": False})
    assert ui.get("/alerts").is_redirect  # enabling again does not bring the session back
    ui = server.ui_client(email, password)
    assert ui.get("/alerts").status_code == 200
    server.cli("user", "reset-password", "--email", email)
    assert ui.get("/alerts").is_redirect
