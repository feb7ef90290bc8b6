"""Taking an observable off a case (added by mistake, or noise): the case, its timeline and the
observable's search stop showing it; the alerts that carried it keep it."""

from __future__ import annotations

import time

import httpx

from tests.harness import Server, alert


def _search(api: httpx.Client, kind: str, value: str) -> dict:
    r = api.get("/observables/search", params={"type": kind, "value": value})
    assert r.status_code == 200, r.text
    return r.json()


def _eventually(api: httpx.Client, kind: str, value: str, cases: int) -> dict:
    deadline = time.monotonic() + 1.0  # the index's promise: within one second
    while True:
        found = _search(api, kind, value)
        if found["case_count"] == cases and len(found["cases"]) == cases:
            return found
        assert time.monotonic() < deadline, f"index not up to date within 1 s: {found}"
        time.sleep(0.02)


def _case_with(api: httpx.Client, unique: str, domain: str) -> tuple[str, str, dict[str, str]]:
    obs = [{"type": "ip", "value": "203.0.113.77"}, {"type": "domain", "value": domain}]
    alert_id = api.post("/alerts", json=alert(unique, observables=obs)).json()["id"]
    case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
    ids = {o["value"]: o["id"] for o in api.get(f"/cases/{case_id}").json()["observables"]}
    return alert_id, case_id, ids


def test_remove_an_observable(api: httpx.Client, unique: str) -> None:
    domain = f"{unique}.noise.example"
    alert_id, case_id, ids = _case_with(api, unique, domain)
    assert [c["id"] for c in _eventually(api, "domain", domain, 1)["cases"]] == [case_id]

    r = api.delete(f"/cases/{case_id}/observables/{ids[domain]}")
    assert r.status_code == 200, r.text
    assert r.json() == {"id": ids[domain], "type": "domain", "value": domain}

    case = api.get(f"/cases/{case_id}").json()
    assert [o["value"] for o in case["observables"]] == ["203.0.113.77"]
    event = case["timeline"][-1]
    assert event["type"] == "observable_removed"
    assert event["summary"] == f"observable removed: domain {domain}"
    assert event["data"]["observable_id"] == ids[domain]
    carried = api.get(f"/alerts/{alert_id}").json()["observables"]
    assert {"type": "domain", "value": domain} in carried  # the alert keeps what it carried

    found = _eventually(api, "domain", domain, 0)
    assert found["cases"] == [] and found["case_count"] == 0
    assert [a["id"] for a in found["alerts"]] == [alert_id] and found["alert_count"] == 1
    assert _search(api, "ip", "203.0.113.77")["case_count"] >= 1  # the other one stays

    # Added again later (it mattered after all): a new id, and the case is found again.
    again = api.post(f"/cases/{case_id}/observables", json={"type": "domain", "value": domain})
    assert again.status_code == 201 and again.json()["id"] != ids[domain]
    assert [c["id"] for c in _eventually(api, "domain", domain, 1)["cases"]] == [case_id]


def test_what_cannot_be_removed(api: httpx.Client, unique: str) -> None:
    _, case_id, ids = _case_with(api, unique, f"{unique}.x.example")
    _, other_case, other_ids = _case_with(api, f"{unique}-2", f"{unique}.y.example")
    unknown = api.delete(f"/cases/{case_id}/observables/obs_01J00000000000000000000000")
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    elsewhere = api.delete(f"/cases/{case_id}/observables/{other_ids[f'{unique}.y.example']}")
    assert elsewhere.status_code == 404  # an id of another case's observable
    no_case = "case_01J00000000000000000000000"
    assert api.delete(f"/cases/{no_case}/observables/{ids['203.0.113.77']}").status_code == 404
    api.post(f"/cases/{other_case}/resolve", json={"verdict": "benign"})
    resolved = api.delete(f"/cases/{other_case}/observables/{other_ids['203.0.113.77']}")
    assert resolved.status_code == 409 and resolved.json()["error"] == "invalid_state"
    assert len(api.get(f"/cases/{other_case}").json()["observables"]) == 2
    twice = api.delete(f"/cases/{case_id}/observables/{ids['203.0.113.77']}")
    assert twice.status_code == 200
    assert api.delete(f"/cases/{case_id}/observables/{ids['203.0.113.77']}").status_code == 404


def test_the_index_stays_consistent_with_sqlite(fresh_server: Server) -> None:
    """`irbox check` compares the index's sightings with SQLite's rows, per type: removed ones
    must not count, in the live index and after a rebuild."""
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        _, case_id, ids = _case_with(api, "consistent", "gone.example")
        _eventually(api, "domain", "gone.example", 1)
        api.delete(f"/cases/{case_id}/observables/{ids['gone.example']}")
        _eventually(api, "domain", "gone.example", 0)  # the last change: all applied
    fresh_server.stop()
    checked = fresh_server.cli("check", check=False)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "consistent" in checked.stdout
    fresh_server.cli("reindex")
    assert fresh_server.cli("check").returncode == 0
