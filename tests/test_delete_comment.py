"""Deleting a comment: its author, or an admin, takes it off the case (the wrong case; a
password pasted by mistake). Its words go everywhere irbox kept them: the comment, the text its
edits replaced in the timeline, the report of an earlier resolution; the audit log never held
them. The timeline keeps that it was deleted, by whom."""

from __future__ import annotations

import sqlite3

import httpx
import pytest

from tests.conftest import user_token
from tests.harness import Server

SECRET = "hunter2-the-domain-admin-password"


def _rows_with(server: Server, text: str) -> int:
    """Rows of the tables that hold what users write (read from the database, as a backup
    would)."""
    with server.database() as conn:
        return sum(
            conn.execute(f"SELECT count(*) FROM {table} WHERE {column} LIKE ?", (f"%{text}%",))
            .fetchone()[0]
            for table, column in (("comments", "body"), ("case_timeline", "data"),
                                  ("case_timeline", "summary"), ("audit_log", "data"))
        )  # fmt: skip


def _case(api: httpx.Client, unique: str) -> str:
    return api.post("/cases", json={"title": f"c {unique}", "severity": "low"}).json()["id"]


def test_the_author_deletes_a_comment_and_its_words_go(
    server: Server, api: httpx.Client, unique: str
) -> None:
    case_id = _case(api, unique)
    path = f"/cases/{case_id}/comments"
    kept = api.post(path, json={"body": "host isolated"}).json()
    wrong = api.post(path, json={"body": f"logged in with {SECRET}"}).json()
    api.patch(f"{path}/{wrong['id']}", json={"body": f"logged in with **{SECRET}**"})
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})  # a report with the words
    assert SECRET in api.get(f"/cases/{case_id}/report").text
    api.post(f"/cases/{case_id}/reopen")  # the undone resolution's report goes with it
    assert not list((server.data_dir / "reports").glob(f"{case_id}.*"))
    before = api.get(f"/cases/{case_id}").json()["comments"][1]
    assert _rows_with(server, SECRET) == 2  # the comment, the text its edit replaced

    r = api.delete(f"{path}/{wrong['id']}")
    assert r.status_code == 200, r.text
    assert r.json() == before  # the comment as it was

    case = api.get(f"/cases/{case_id}").json()
    assert [c["id"] for c in case["comments"]] == [kept["id"]]
    event = case["timeline"][-1]
    assert (event["type"], event["summary"]) == ("comment_deleted", "comment deleted")
    me = api.get("/me").json()["id"]
    assert event["data"] == {"comment_id": wrong["id"], "author": me} and event["actor"] == me
    edited = [e for e in case["timeline"] if e["type"] == "comment_edited"]
    assert edited and edited[0]["data"] == {"comment_id": wrong["id"]}
    audit = api.get("/audit", params={"limit": 200}).text
    assert wrong["id"] in audit and "case.comment_deleted" in audit
    assert _rows_with(server, SECRET) == 0
    again = api.delete(f"{path}/{wrong['id']}")
    assert again.status_code == 404 and again.json()["error"] == "not_found"
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    assert SECRET not in api.get(f"/cases/{case_id}/report").text


def test_who_may_delete(server: Server, api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    path = f"/cases/{case_id}/comments"
    ann = user_token(server, api, "analyst")
    with server.client(ann) as ann_api:
        anns = ann_api.post(path, json={"body": "ann's note"}).json()
        mine = api.post(path, json={"body": "admin's note"}).json()
        refused = ann_api.delete(f"{path}/{mine['id']}")  # another analyst's: no
        assert refused.status_code == 403 and refused.json()["error"] == "forbidden"
        assert refused.json()["details"] == {"comment": "not yours"}
        assert refused.json()["message"] == "only its author or an admin can delete this comment"
    with server.client(user_token(server, api, "analyst")) as bob_api:
        assert bob_api.delete(f"{path}/{anns['id']}").status_code == 403
    moderated = api.delete(f"{path}/{anns['id']}")  # an admin moderates
    assert moderated.status_code == 200, moderated.text
    event = api.get(f"/cases/{case_id}").json()["timeline"][-1]
    ann_id = server.client(ann).get("/me").json()["id"]
    assert event["data"]["author"] == ann_id and event["actor"] == api.get("/me").json()["id"]
    with server.client(user_token(server, api, "viewer")) as viewer:
        assert viewer.delete(f"{path}/{mine['id']}").status_code == 403  # no cases:write


def test_what_cannot_be_deleted(api: httpx.Client, unique: str) -> None:
    case_id = _case(api, unique)
    path = f"/cases/{case_id}/comments"
    comment = api.post(path, json={"body": "mine"}).json()
    elsewhere = _case(api, f"{unique}-2")
    assert api.delete(f"/cases/{elsewhere}/comments/{comment['id']}").status_code == 404
    assert api.delete(f"{path}/cmt_01J00000000000000000000000").status_code == 404
    api.post(f"/cases/{case_id}/resolve", json={"verdict": "benign"})
    resolved = api.delete(f"{path}/{comment['id']}")
    assert resolved.status_code == 409 and resolved.json()["error"] == "invalid_state"
    assert [c["body"] for c in api.get(f"/cases/{case_id}").json()["comments"]] == ["mine"]


def test_the_page_offers_delete_to_the_author_and_admins(server: Server, api: httpx.Client) -> None:
    case_id = _case(api, "buttons")
    login = {"email": "ann-buttons@x.example", "password": "ann-password-123"}
    api.post("/users", json={**login, "role": "analyst", "name": "Ann"})
    with server.client(server.token(login["email"])) as ann:
        anns = ann.post(f"/cases/{case_id}/comments", json={"body": "ann's"}).json()["id"]
    admins = api.post(f"/cases/{case_id}/comments", json={"body": "admin's"}).json()["id"]

    def controls(page: str, comment_id: str) -> tuple[bool, bool]:
        article = page.split(f'id="{comment_id}"', 1)[1].split("</article>", 1)[0]
        return "delete-comment" in article, "edit-comment" in article

    as_ann = server.ui_client(login["email"], login["password"]).get(f"/cases/{case_id}").text
    assert controls(as_ann, anns) == (True, True) and controls(as_ann, admins) == (False, False)
    as_admin = server.ui_client("admin@irbox.local", server.first_password)
    page = as_admin.get(f"/cases/{case_id}").text
    assert controls(page, anns) == (True, False) and controls(page, admins) == (True, True)


@pytest.mark.sqlite_only
def test_no_trace_in_the_database_file(fresh_server: Server) -> None:
    """The deleted words are not left in the file's free space for a forensic tool (or a copy
    of the file) to read, once the WAL is checkpointed into it."""
    server = fresh_server.start()
    with server.client(server.token()) as api:
        case_id = _case(api, "trace")
        path = f"/cases/{case_id}/comments"
        api.post(path, json={"body": "a comment that stays"})
        wrong = api.post(path, json={"body": f"vpn: {SECRET}"}).json()["id"]
        api.patch(f"{path}/{wrong}", json={"body": f"vpn: **{SECRET}**"})
        assert api.delete(f"{path}/{wrong}").status_code == 200
    conn = sqlite3.connect(server.data_dir / "irbox.db", timeout=10)
    try:
        assert conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0] == 0  # not busy
    finally:
        conn.close()
    assert SECRET.encode() not in (server.data_dir / "irbox.db").read_bytes()
