"""Suppressions: scope, expiry, lifting; alerts fully covered are stored dismissed."""

from __future__ import annotations

import time

import httpx

from tests.harness import alert


def _suppress(api: httpx.Client, kind: str, value: str, **kw: object) -> dict:
    r = api.post(
        "/observables/suppress", json={"type": kind, "value": value, "reason": "noise", **kw}
    )
    assert r.status_code == 201, r.text
    return r.json()


def test_fully_suppressed_alerts_are_stored_dismissed(api: httpx.Client, unique: str) -> None:
    noise = f"stats-{unique}.example.com"
    sup = _suppress(api, "domain", noise.upper() + ".")
    assert sup["id"].startswith("sup_") and sup["value"] == noise and sup["active"] is True
    assert sup["scope"] == "global" and sup["until"] is None
    r = api.post("/alerts", json=alert(unique, observables=[{"type": "domain", "value": noise}]))
    assert r.status_code == 201 and r.json()["status"] == "dismissed"
    got = api.get(f"/alerts/{r.json()['id']}").json()
    assert (
        got["dismissal"]["reason_code"] == "suppressed" and sup["id"] in got["dismissal"]["comment"]
    )
    # one observable not covered: the alert goes to triage as usual
    mixed = [{"type": "domain", "value": noise}, {"type": "ip", "value": "198.51.100.99"}]
    r = api.post("/alerts", json=alert(f"{unique}-m", observables=mixed))
    assert r.json()["status"] == "triage"
    # no observables at all: never suppressed
    assert (
        api.post("/alerts", json=alert(f"{unique}-n", observables=[])).json()["status"] == "triage"
    )


def test_scope_by_source(api: httpx.Client, unique: str) -> None:
    value = f"{unique}.scanner.example"
    _suppress(api, "domain", value, scope="source:edr")
    obs = [{"type": "domain", "value": value}]
    assert (
        api.post("/alerts", json=alert(f"{unique}-a", observables=obs)).json()["status"]
        == "dismissed"
    )
    other = alert(f"{unique}-b", observables=obs, source="ids")
    assert api.post("/alerts", json=other).json()["status"] == "triage"


def test_expiry_and_lifting(api: httpx.Client, unique: str) -> None:
    soon = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 2))
    expiring = f"{unique}.exp.example"
    _suppress(api, "domain", expiring, until=soon)
    obs = [{"type": "domain", "value": expiring}]
    assert (
        api.post("/alerts", json=alert(f"{unique}-1", observables=obs)).json()["status"]
        == "dismissed"
    )
    time.sleep(2.5)
    assert (
        api.post("/alerts", json=alert(f"{unique}-2", observables=obs)).json()["status"] == "triage"
    )

    lifted = f"{unique}.lift.example"
    sup = _suppress(api, "domain", lifted)
    r = api.delete(f"/observables/suppressions/{sup['id']}")
    assert r.status_code == 200 and r.json()["active"] is False and r.json()["lifted_at"]
    obs = [{"type": "domain", "value": lifted}]
    assert (
        api.post("/alerts", json=alert(f"{unique}-3", observables=obs)).json()["status"] == "triage"
    )
    assert api.delete("/observables/suppressions/sup_01J00000000000000000000000").status_code == 404


def test_list_and_search_show_suppressions(api: httpx.Client, unique: str) -> None:
    value = f"{unique}.list.example"
    sup = _suppress(api, "domain", value)
    listed = api.get("/observables/suppressions", params={"active": "true", "limit": 500}).json()
    assert sup["id"] in [s["id"] for s in listed["items"]]
    found = api.get("/observables/search", params={"type": "domain", "value": value}).json()
    assert [s["id"] for s in found["suppressions"]] == [sup["id"]]
    api.delete(f"/observables/suppressions/{sup['id']}")
    listed = api.get("/observables/suppressions", params={"active": "true", "limit": 500}).json()
    assert sup["id"] not in [s["id"] for s in listed["items"]]
    everything = api.get("/observables/suppressions", params={"limit": 500}).json()["items"]
    assert sup["id"] in [s["id"] for s in everything]


def test_validation(api: httpx.Client) -> None:
    r = api.post(
        "/observables/suppress",
        json={
            "type": "ip",
            "value": "x",
            "scope": "team:red",
            "until": "2001-01-01T00:00:00Z",
            "reason": "",
        },
    )
    assert r.status_code == 400
    assert set(r.json()["details"]) == {"value", "scope", "until", "reason"}


def test_a_second_suppression_replaces_the_first(api: httpx.Client, unique: str) -> None:
    value = f"{unique}.twice.example"
    first = _suppress(api, "domain", value, reason="lab scanner")
    later = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    second = _suppress(api, "domain", value.upper(), reason="until the lab moves", until=later)
    other_scope = _suppress(api, "domain", value, scope="source:edr")
    found = api.get("/observables/search", params={"type": "domain", "value": value}).json()
    assert [s["id"] for s in found["suppressions"]] == [second["id"], other_scope["id"]]
    everything = api.get("/observables/suppressions", params={"limit": 500}).json()["items"]
    old = next(s for s in everything if s["id"] == first["id"])
    assert old["active"] is False and old["lifted_at"] and old["lifted_by"]
    # lifting the one in force lifts the global suppression: nothing else is left behind it
    api.delete(f"/observables/suppressions/{second['id']}")
    found = api.get("/observables/search", params={"type": "domain", "value": value}).json()
    assert [s["id"] for s in found["suppressions"]] == [other_scope["id"]]
    obs = [{"type": "domain", "value": value}]
    assert (
        api.post("/alerts", json=alert(unique, observables=obs, source="ids")).json()["status"]
        == "triage"
    )
