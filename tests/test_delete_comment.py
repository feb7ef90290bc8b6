"""Deleting a comment: its author takes it off the case (the wrong case, said too soon); the
timeline keeps what it said, as it keeps what an edit replaced."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server


def test_the_author_deletes_a_comment(api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"c {unique}", "severity": "low"}).json()["id"]
    path = f"/cases/{case_id}/comments"
    kept = api.post(path, json={"body": "host isolated"}).json()
    wrong = api.post(path, json={"body": "meant for **another** case"}).json()
    api.patch(f"{path}/{wrong['id']}", json={"body": "meant for another case"})
    before = api.get(f"/cases/{case_id}").json()["comments"][1]

    r = api.delete(f"{path}/{wrong['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == before  # the comment as it was

    case = api.get(f"/cases/{case_id}").json()
    assert [c["id"] for c in case["comments"]] == [kept["id"]]
    event = case["timeline"][-1]
    assert (event["type"], event["summary"]) == ("comment_deleted", "comment deleted")
    assert event["data"] == {"comment_id": wrong["id"], "body": "meant for another case"}
    again = api.delete(f"{path}/{wrong['id']}")
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    edit = api.patch(f"{path}/{wrong['id']}", json={"body": "x"})
    assert edit.status_code == 404


def test_only_the_author_deletes(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"c {unique}", "severity": "low"}).json()["id"]
    path = f"/cases/{case_id}/comments"
    comment = api.post(path, json={"body": "mine"}).json()
    with server.client(user_token(server, api, "analyst")) as other:
        r = other.delete(f"{path}/{comment['id']}")
    assert r.status_code == 403 and r.json()["error"] == "forbidden"
    assert r.json()["details"] == {"comment": "not yours"}
    assert "delete" in r.json()["message"]
    elsewhere = api.post("/cases", json={"title": "other", "severity": "low"}).json()["id"]
    assert api.delete(f"/cases/{elsewhere}/comments/{comment['id']}").status_code == 404
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    resolved = api.delete(f"{path}/{comment['id']}")
    assert resolved.status_code == 409 and resolved.json()["error"] == "invalid_state"
    assert [c["body"] for c in api.get(f"/cases/{case_id}").json()["comments"]] == ["mine"]
