"""A checklist per case: add tasks (some required), tick them done or skip them, edit and
remove them; every change on the timeline, in the report and sent as `case.updated`; a case
with an open required task cannot be resolved (409 naming it)."""

from __future__ import annotations

import json

import httpx

from tests.harness import Server
from tests.receiver import Receiver

RESOLVE = {"verdict": "true_positive", "root_cause": "mail", "narrative": "done"}


def test_tasks_through_the_api(api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "Checklist", "severity": "high"}).json()
    url = f"/cases/{case['id']}/tasks"
    contain = api.post(url, json={"title": "Isolate the host", "required": True,
                                  "due_at": "2031-06-02T10:00:00+02:00"})  # fmt: skip
    assert contain.status_code == 201, contain.text
    task = contain.json()
    assert task["id"].startswith("tsk_") and task["status"] == "open" and task["required"]
    assert task["due_at"] == "2031-06-02T08:00:00Z"
    notify = api.post(url, json={"title": "Tell the user"}).json()
    assert [t["title"] for t in api.get(url).json()["items"]] == [
        "Isolate the host", "Tell the user",
    ]  # fmt: skip
    for bad, field in [({"title": ""}, "title"), ({"title": "x", "due_at": "tomorrow"}, "due_at"),
                       ({"title": "x", "assignee": "user_nobody"}, "assignee")]:  # fmt: skip
        refused = api.post(url, json=bad)
        assert refused.status_code == 400 and field in refused.json()["details"], refused.text
    assert api.patch(f"{url}/{notify['id']}", json={"status": "later"}).status_code == 400
    assert api.patch(f"{url}/tsk_missing", json={"status": "done"}).status_code == 404

    blocked = api.post(f"/cases/{case['id']}/resolve", json=RESOLVE)
    assert blocked.status_code == 409
    assert blocked.json()["details"]["tasks"] == [{"id": task["id"], "title": "Isolate the host"}]
    done = api.patch(f"{url}/{task['id']}", json={"status": "done"}).json()
    assert done["status"] == "done"
    removed = api.delete(f"{url}/{notify['id']}")
    assert removed.status_code == 200 and removed.json()["title"] == "Tell the user"
    assert api.post(f"/cases/{case['id']}/resolve", json=RESOLVE).status_code == 200
    full = api.get(f"/cases/{case['id']}").json()
    assert [t["title"] for t in full["tasks"]] == ["Isolate the host"]
    summaries = [e["summary"] for e in full["timeline"]]
    assert "required task added: Isolate the host" in summaries
    assert "task done: Isolate the host" in summaries
    assert "task removed: Tell the user" in summaries
    report = api.get(f"/cases/{case['id']}/report", params={"format": "md"}).text
    assert "| done | Isolate the host (required) |" in report
    # resolved: the checklist is closed too
    assert api.post(url, json={"title": "late"}).status_code == 409


def test_task_changes_are_sent_as_case_updated(server: Server, api: httpx.Client) -> None:
    receiver = Receiver().start()
    try:
        case = api.post("/cases", json={"title": "Hooked", "severity": "low"}).json()
        api.post("/webhooks", json={"url": receiver.url, "events": ["case.updated"]})
        api.post(f"/cases/{case['id']}/tasks", json={"title": "Collect logs"})
        sent = json.loads(receiver.wait_for(1)[0].body)
        assert (sent["event"], sent["case_id"]) == ("case.updated", case["id"])
    finally:
        receiver.stop()


def test_tasks_on_the_case_page(server: Server, api: httpx.Client) -> None:
    case = api.post("/cases", json={"title": "On the page", "severity": "low"}).json()
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get(f"/cases/{case['id']}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf, "title": "Reset password", "required": "on"}
    added = ui.post(f"/cases/{case['id']}/tasks", data=form)
    assert added.is_redirect
    task = api.get(f"/cases/{case['id']}/tasks").json()["items"][0]
    assert task["required"] is True
    page = ui.get(f"/cases/{case['id']}").text
    assert 'aria-label="done: Reset password"' in page
    ticked = ui.post(f"/cases/{case['id']}/tasks/{task['id']}/status",
                     data={"csrf_token": csrf, "status": "done"})  # fmt: skip
    assert ticked.is_redirect
    assert api.get(f"/cases/{case['id']}/tasks").json()["items"][0]["status"] == "done"
    assert 'class="task-done"' in ui.get(f"/cases/{case['id']}").text
