"""/api-keys: create (token once), list (never the token), revoke, last used."""

from __future__ import annotations

import time

import httpx

from tests.conftest import user_token
from tests.harness import Server


def test_create_list_revoke(server: Server, api: httpx.Client) -> None:
    r = api.post("/api-keys", json={"name": "siem", "scopes": ["alerts:write", "alerts:read"]})
    assert r.status_code == 201
    created = r.json()
    token, key = created["token"], created["key"]
    assert token.startswith("irbox_") and key["id"].startswith("key_")
    assert key["scopes"] == ["alerts:read", "alerts:write"]
    assert token.startswith(key["token_prefix"])
    listed = api.get("/api-keys").json()["items"]
    assert key["id"] in [k["id"] for k in listed]
    assert token not in str(listed)
    with server.client(token) as c:
        assert c.get("/alerts").status_code == 200
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        used = next(k for k in api.get("/api-keys").json()["items"] if k["id"] == key["id"])
        if used["last_used_at"]:
            break
        time.sleep(0.05)
    assert used["last_used_at"], "last used time was not recorded"
    assert api.delete(f"/api-keys/{key['id']}").json()["revoked_at"]


def test_key_validation(api: httpx.Client) -> None:
    r = api.post("/api-keys", json={"name": "", "scopes": ["alerts:read", "root"]})
    assert r.status_code == 400 and {"name", "scopes[1]"} <= set(r.json()["details"])
    r = api.post("/api-keys", json={"name": "nothing", "scopes": []})
    assert r.status_code == 400 and "scopes" in r.json()["details"]
    r = api.post("/api-keys", json={"name": "x", "expires_at": "2020-01-01T00:00:00Z"})
    assert r.status_code == 400 and "expires_at" in r.json()["details"]


def test_others_keys_are_invisible_to_non_admins(server: Server, api: httpx.Client) -> None:
    admin_key = api.post("/api-keys", json={"name": "admin-own"}).json()["key"]
    with server.client(user_token(server, api, "analyst")) as analyst:
        own = analyst.get("/api-keys").json()["items"]
        assert admin_key["id"] not in [k["id"] for k in own]
        assert len(own) == 1
        assert analyst.delete(f"/api-keys/{admin_key['id']}").status_code == 404
        assert analyst.delete("/api-keys/key_nonexistent").status_code == 404
    assert admin_key["id"] in [k["id"] for k in api.get("/api-keys").json()["items"]]
