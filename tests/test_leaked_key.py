"""A leaked key must not outlive its revocation: only an `admin` key mints keys through the API,
the keys it mints expire no later than it and are revoked with it, and a key without `admin`
revokes only itself, so it cannot lock its owner's other keys out."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server


def test_a_key_without_admin_cannot_copy_itself(server: Server, api: httpx.Client) -> None:
    with server.client(user_token(server, api, "analyst")) as siem:
        r = siem.post("/api-keys", json={"name": "copy"})
        assert r.status_code == 403 and r.json()["details"]["required_scope"] == "admin"
        assert len(siem.get("/api-keys").json()["items"]) == 1


def test_a_key_without_admin_cannot_revoke_its_owners_other_keys(server: Server) -> None:
    owner = "keys-owner@example.test"
    server.cli("user", "create", "--email", owner, "--role", "analyst")
    leaked, kept = server.token(owner, name="siem"), server.token(owner, name="laptop")
    with server.client(kept) as laptop:
        kept_id = laptop.get("/me").json()["key_id"]
    with server.client(leaked) as thief:
        r = thief.delete(f"/api-keys/{kept_id}")
        assert r.status_code == 403 and r.json()["details"]["required_scope"] == "admin"
        own_id = thief.get("/me").json()["key_id"]
        assert thief.delete(f"/api-keys/{own_id}").status_code == 200  # itself: yes
        assert thief.get("/me").status_code == 401
    with server.client(kept) as laptop:
        assert laptop.get("/me").status_code == 200


def test_keys_made_by_a_key_die_with_it(server: Server, api: httpx.Client) -> None:
    parent = api.post(
        "/api-keys", json={"name": "parent", "expires_at": "2099-01-01T00:00:00Z"}
    ).json()
    with server.client(parent["token"]) as made_by_key:
        child = made_by_key.post("/api-keys", json={"name": "child"}).json()
        grandchild = made_by_key.post(
            "/api-keys", json={"name": "later", "expires_at": "2199-01-01T00:00:00Z"}
        ).json()
    # Never longer-lived than the key that made it.
    assert child["key"]["expires_at"] == "2099-01-01T00:00:00Z"
    assert grandchild["key"]["expires_at"] == "2099-01-01T00:00:00Z"
    with server.client(child["token"]) as c:
        assert c.get("/me").status_code == 200

    assert api.delete(f"/api-keys/{parent['key']['id']}").status_code == 200

    for token in (parent["token"], child["token"], grandchild["token"]):
        with server.client(token) as c:
            assert c.get("/me").status_code == 401
    listed = {k["id"]: k for k in api.get("/api-keys").json()["items"]}
    assert listed[child["key"]["id"]]["revoked_at"] is not None
