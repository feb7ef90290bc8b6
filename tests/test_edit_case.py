"""Editing a case records what changed and nothing else: the case page's form resends the
description with a browser's CRLF line endings, which is no change; an edit that changes
nothing leaves no timeline entry, audit entry or webhook."""

from __future__ import annotations

import httpx

from tests.harness import Server


def _csrf(client: httpx.Client, case_id: str) -> str:
    page = client.get(f"/cases/{case_id}").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def test_saving_severity_on_the_page_records_only_severity(
    server: Server, api: httpx.Client
) -> None:
    text = "Seen on two hosts.\n\n- web-1\n- web-2\n"
    case = api.post("/cases", json={"title": "crlf", "severity": "low", "description": text})
    case_id = case.json()["id"]
    assert case.json()["description"] == text.strip()
    client = server.ui_client("admin@irbox.local", server.first_password)
    form = {
        "csrf_token": _csrf(client, case_id),
        "title": "crlf",
        "tags": "",
        "description": text.replace("\n", "\r\n"),  # as the browser sends the textarea
        "severity": "high",
        "status": "open",
        "assignee": "",
    }
    assert client.post(f"/cases/{case_id}/edit", data=form).is_redirect

    after = api.get(f"/cases/{case_id}").json()
    assert after["severity"] == "high" and after["description"] == text.strip()
    changes = [e for e in after["timeline"] if e["type"] in ("field_changed", "status_changed")]
    assert [e["summary"] for e in changes] == ["severity: low → high"]
    audit = [e for e in api.get("/audit").json()["items"] if e["entity_id"] == case_id]
    assert [e["data"].get("field") for e in audit if e["action"] == "case.field_changed"] == [
        "severity"
    ]


def test_an_edit_that_changes_nothing_records_nothing(api: httpx.Client) -> None:
    case_id = api.post("/cases", json={"title": "same", "severity": "low"}).json()["id"]
    before = api.get(f"/cases/{case_id}").json()
    same = {"title": "same", "severity": "low", "description": "", "tags": []}
    assert api.patch(f"/cases/{case_id}", json=same).status_code == 200
    after = api.get(f"/cases/{case_id}").json()
    assert after["timeline"] == before["timeline"] and after["updated_at"] == before["updated_at"]
