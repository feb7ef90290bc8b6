"""Bearer tokens: missing, malformed, unknown, revoked, expired, disabled owner -> 401."""

from __future__ import annotations

import time

import httpx

from tests.conftest import user_token
from tests.harness import Server


def _status(server: Server, headers: dict[str, str]) -> httpx.Response:
    return httpx.get(server.url + "/api/v1/alerts", headers=headers)


def test_missing_malformed_and_unknown_tokens(server: Server) -> None:
    for headers in (
        {},
        {"Authorization": "irbox_abc"},
        {"Authorization": "Basic dXNlcjpwYXNz"},
        {"Authorization": "Bearer"},
        {"Authorization": "Bearer not-ours"},
        {"Authorization": "Bearer irbox_" + "A" * 43},
    ):
        r = _status(server, headers)
        assert r.status_code == 401, headers
        assert r.json()["error"] == "unauthorized"
        assert r.json()["message"]


def test_revoked_key_stops_at_once(server: Server, api: httpx.Client) -> None:
    created = api.post("/api-keys", json={"name": "short-lived"}).json()
    token = created["token"]
    assert _status(server, {"Authorization": f"Bearer {token}"}).status_code == 200
    r = api.delete(f"/api-keys/{created['key']['id']}")
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert _status(server, {"Authorization": f"Bearer {token}"}).status_code == 401


def test_expired_key(server: Server, api: httpx.Client) -> None:
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    token = api.post("/api-keys", json={"name": "exp", "expires_at": soon}).json()["token"]
    assert _status(server, {"Authorization": f"Bearer {token}"}).status_code == 200
    time.sleep(2.5)
    assert _status(server, {"Authorization": f"Bearer {token}"}).status_code == 401


def test_disabling_a_user_disables_its_keys(server: Server, api: httpx.Client) -> None:
    token = user_token(server, api, "analyst")
    headers = {"Authorization": f"Bearer {token}"}
    me = httpx.get(server.url + "/api/v1/me", headers=headers).json()
    assert _status(server, headers).status_code == 200
    assert api.patch(f"/users/{me['id']}", json={"disabled": True}).status_code == 200
    assert _status(server, headers).status_code == 401
    assert api.patch(f"/users/{me['id']}", json={"disabled": False}).status_code == 200
    assert _status(server, headers).status_code == 200


def test_tokens_are_stored_only_as_hashes(server: Server, api: httpx.Client) -> None:
    token = api.post("/api-keys", json={"name": "hashcheck"}).json()["token"]
    stored = server.stored_bytes()
    assert token.encode() not in stored
    assert token.split("_", 1)[1].encode() not in stored
