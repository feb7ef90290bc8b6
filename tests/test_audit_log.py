"""GET /audit: every state change with actor, key, client IP and time; admins only."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server, alert


def test_changes_across_the_product_are_audited(
    server: Server, api: httpx.Client, unique: str
) -> None:
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
    api.post(f"/cases/{case_id}/comments", json={"body": "x"})
    key = api.post("/api-keys", json={"name": f"k {unique}"}).json()["key"]
    api.delete(f"/api-keys/{key['id']}")
    user = api.post("/users", json={"email": f"a-{unique}@x.example", "role": "viewer"}).json()
    api.patch(f"/users/{user['user']['id']}", json={"role": "analyst"})

    entries, cursor = [], None
    while len(entries) < 2000:
        page = api.get("/audit", params={"limit": 200, **({"cursor": cursor} if cursor else {})})
        entries += page.json()["items"]
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    actions = {(e["action"], e["entity_id"]) for e in entries}
    for expected in (
        ("alert.create", alert_id),
        ("alert.escalate", alert_id),
        ("case.created", case_id),
        ("case.alert_added", case_id),
        ("case.comment", case_id),
        ("api_key.create", key["id"]),
        ("api_key.revoke", key["id"]),
        ("user.create", user["user"]["id"]),
        ("user.update", user["user"]["id"]),
    ):
        assert expected in actions, expected
    me = api.get("/me").json()
    mine = next(e for e in entries if e["entity_id"] == alert_id)
    assert mine["actor"] == me["id"] and mine["key_id"] == me["key_id"]
    assert mine["ip"] == "127.0.0.1" and mine["at"].endswith("Z")
    with server.client(user_token(server, api, "analyst")) as analyst:
        assert analyst.get("/audit").status_code == 403
