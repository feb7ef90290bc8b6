"""A suppression made after the noise arrived: it says how many alerts waiting in triage it now
covers (its observable, within its scope) before anyone acts, and dismisses them all at once
with the reason `suppressed`; alerts of other sources, or already handled, are left alone."""

from __future__ import annotations

import time

import httpx

from tests.harness import Server, alert


def _waiting(api: httpx.Client, unique: str, value: str, source: str, n: int) -> str:
    observables = [{"type": "domain", "value": value}]
    created = api.post("/alerts", json=alert(f"{unique}-{source}-{n}", source=source,
                                             observables=observables))  # fmt: skip
    assert created.status_code == 201 and created.json()["status"] == "triage"
    return created.json()["id"]


def _indexed(api: httpx.Client, value: str, count: int) -> None:
    deadline = time.monotonic() + 5
    while (
        api.get("/observables/search", params={"type": "domain", "value": value}).json()[
            "alert_count"
        ]
        < count
    ):
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_count_first_then_dismiss_within_the_scope(api: httpx.Client, unique: str) -> None:
    noise = f"telemetry-{unique[:10]}.example.com"
    edr = [_waiting(api, unique, noise, "edr", n) for n in range(3)]
    siem = _waiting(api, unique, noise, "siem", 0)
    handled = _waiting(api, unique, noise, "edr", 9)
    assert api.post(f"/alerts/{handled}/escalate", json={"case_id": None}).status_code == 201
    _indexed(api, noise, 5)
    body = {"type": "domain", "value": noise, "scope": "source:edr", "reason": "agent"}
    sup_id = api.post("/observables/suppress", json=body).json()["id"]

    covered = api.get(f"/observables/suppressions/{sup_id}/covered").json()
    assert covered == {"suppression_id": sup_id, "open_alerts": 3, "dismissed": 0}
    done = api.post(f"/observables/suppressions/{sup_id}/dismiss-covered")
    assert done.status_code == 200 and done.json()["dismissed"] == 3
    for alert_id in edr:
        dismissal = api.get(f"/alerts/{alert_id}").json()["dismissal"]
        assert dismissal["reason_code"] == "suppressed" and sup_id in dismissal["comment"]
    assert api.get(f"/alerts/{siem}").json()["status"] == "triage"
    assert api.get(f"/alerts/{handled}").json()["status"] == "escalated"
    assert api.get(f"/observables/suppressions/{sup_id}/covered").json()["open_alerts"] == 0


def test_a_lifted_suppression_covers_nothing(api: httpx.Client, unique: str) -> None:
    noise = f"lifted-{unique[:10]}.example.com"
    _waiting(api, unique, noise, "edr", 0)
    _indexed(api, noise, 1)
    sup_id = api.post("/observables/suppress", json={"type": "domain", "value": noise,
                                                     "reason": "x"}).json()["id"]  # fmt: skip
    assert api.delete(f"/observables/suppressions/{sup_id}").status_code == 200
    assert api.get(f"/observables/suppressions/{sup_id}/covered").json()["open_alerts"] == 0
    assert api.get("/observables/suppressions/sup_nope/covered").status_code == 404


def test_dismissing_needs_alerts_write(server: Server, unique: str) -> None:
    token = server.token(scopes="observables:read,observables:write", name="obs-only")
    with server.client(token) as api:
        sup = api.post("/observables/suppress", json={"type": "user", "value": unique,
                                                      "reason": "x"}).json()  # fmt: skip
        r = api.post(f"/observables/suppressions/{sup['id']}/dismiss-covered")
    assert r.status_code == 403 and r.json()["details"] == {"required_scope": "alerts:write"}


def test_the_page_offers_it_after_suppressing(
    server: Server, api: httpx.Client, unique: str
) -> None:
    noise = f"page-{unique[:10]}.example.com"
    waiting = _waiting(api, unique, noise, "edr", 0)
    _indexed(api, noise, 1)
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/observables").text
    assert '<option value="source:edr">only edr</option>' in page  # scopes from known sources
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    made = ui.post("/observables/suppressions", data={"csrf_token": csrf, "type": "domain",
                                                      "value": noise, "scope": "global",
                                                      "reason": "noise"})  # fmt: skip
    assert made.is_redirect
    shown = ui.get(made.headers["location"]).text
    assert "1 alert(s) waiting in triage carry it." in shown
    action = shown.split('id="covered"', 1)[1].split('action="', 1)[1].split('"', 1)[0]
    assert ui.post(action, data={"csrf_token": csrf}).is_redirect
    assert api.get(f"/alerts/{waiting}").json()["status"] == "dismissed"
