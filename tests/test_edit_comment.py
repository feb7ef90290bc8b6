"""Editing a comment: its author fixes what they wrote; the timeline keeps what it replaced, and
only users mentioned for the first time are notified."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server
from tests.htmlcheck import active_content


def _case(api: httpx.Client, unique: str) -> str:
    return api.post("/cases", json={"title": f"c {unique}", "severity": "low"}).json()["id"]


def _unread(server: Server, token: str) -> list[dict]:
    with server.client(token) as user:
        return user.get("/me/notifications", params={"unread": "true"}).json()["items"]


def test_the_author_edits_a_comment(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    ann, bob = user_token(server, api, "analyst"), user_token(server, api, "analyst")
    ann_id, bob_id = (server.client(t).get("/me").json()["id"] for t in (ann, bob))
    first = api.post(
        f"/cases/{case_id}/comments", json={"body": "host is WS-024", "mentions": [ann_id]}
    ).json()
    assert first["edited_at"] is None and len(_unread(server, ann)) == 1

    body = "host is **WS-042** <script>alert(1)</script>"
    r = api.patch(
        f"/cases/{case_id}/comments/{first['id']}",
        json={"body": body, "mentions": [ann_id, bob_id]},
    )
    assert r.status_code == 200, r.text
    edited = r.json()
    assert (edited["id"], edited["body"], edited["created_at"]) == (
        first["id"],
        body,
        first["created_at"],
    )
    assert (
        "<strong>WS-042</strong>" in edited["body_html"]
        and active_content(edited["body_html"]) == []
    )
    assert edited["edited_at"] >= edited["created_at"] and edited["mentions"] == [ann_id, bob_id]

    case = api.get(f"/cases/{case_id}").json()
    assert case["comments"] == [edited]
    event = case["timeline"][-1]
    assert (event["type"], event["summary"]) == ("comment_edited", "comment edited")
    assert event["data"] == {"comment_id": first["id"], "previous_body": "host is WS-024"}
    assert len(_unread(server, ann)) == 1  # mentioned before: not notified again
    assert [n["comment_id"] for n in _unread(server, bob)] == [first["id"]]


def test_only_the_author_edits(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    comment = api.post(f"/cases/{case_id}/comments", json={"body": "mine"}).json()
    with server.client(user_token(server, api, "analyst")) as other:
        r = other.patch(f"/cases/{case_id}/comments/{comment['id']}", json={"body": "theirs"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert r.json()["details"] == {"comment": "not yours"}
    path = f"/cases/{case_id}/comments"
    assert (
        api.patch(f"{path}/cmt_01J00000000000000000000000", json={"body": "x"}).status_code == 404
    )
    blank = api.patch(f"{path}/{comment['id']}", json={"body": "  "})
    assert blank.status_code == 400 and "body" in blank.json()["details"]
    ghost = api.patch(f"{path}/{comment['id']}", json={"body": "x", "mentions": ["user_nobody"]})
    assert ghost.status_code == 400 and "mentions[0]" in ghost.json()["details"]
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    resolved = api.patch(f"{path}/{comment['id']}", json={"body": "later"})
    assert resolved.status_code == 409
    assert api.get(f"/cases/{case_id}").json()["comments"][0]["body"] == "mine"
