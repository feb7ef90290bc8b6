"""Saved views: a user names the queue's filters and gets them back as a tab; names unique per
user, filters checked as `GET /alerts` checks them, nobody else sees or deletes them."""

from __future__ import annotations

import httpx

from tests.conftest import user_token
from tests.harness import Server


def test_save_list_and_delete_my_views(server: Server, api: httpx.Client, unique: str) -> None:
    made = api.post(
        "/me/views",
        json={
            "name": f"EDR {unique}",
            "filters": {"source": "edr", "severity": "critical,high", "sort": "severity", "q": ""},
        },
    )
    assert made.status_code == 201, made.text
    view = made.json()
    assert view["id"].startswith("view_")
    assert view["filters"] == {"source": "edr", "severity": "critical,high", "sort": "severity"}
    assert view in api.get("/me/views").json()["items"]
    for bad, key in [
        ({"name": "", "filters": {}}, "name"),
        ({"name": f"EDR {unique}", "filters": {}}, "name"),
        ({"name": "x", "filters": {"severity": "loud"}}, "filters.severity"),
        ({"name": "x", "filters": {"sort": "random"}}, "filters.sort"),
    ]:
        refused = api.post("/me/views", json=bad)
        assert refused.status_code == 400 and key in refused.json()["details"], refused.text
    with server.client(user_token(server, api, "viewer")) as other:
        assert view not in other.get("/me/views").json()["items"]
        assert other.delete(f"/me/views/{view['id']}").status_code == 404
    assert api.delete(f"/me/views/{view['id']}").json()["name"] == f"EDR {unique}"
    assert view not in api.get("/me/views").json()["items"]


def test_views_are_tabs_on_the_queue(fresh_server: Server) -> None:
    fresh_server.start()
    ui = fresh_server.ui_client("admin@irbox.local", fresh_server.first_password)
    page = ui.get("/alerts").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    saved = ui.post(
        "/alerts/views",
        data={
            "csrf_token": csrf,
            "name": "Critical EDR",
            "source": "edr",
            "severity": "critical",
            "status": "triage",
        },
    )
    assert saved.is_redirect
    shown = ui.get(saved.headers["location"]).text
    assert 'aria-current="page">Critical EDR</a>' in shown
    assert 'aria-current="page">In triage</a>' not in shown
    assert 'aria-current="page">In triage</a>' in ui.get("/alerts").text
