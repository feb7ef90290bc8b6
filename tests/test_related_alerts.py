"""`GET /alerts/{id}/related`: seven alerts calling the same C2 domain are not seven unrelated
rows. An alert lists the alerts still in triage and the cases still open that share one of its
observables or its asset's host name, with what they share; those sharing most come first."""

from __future__ import annotations

import time

import httpx

from tests.harness import Server, alert


def _related(api: httpx.Client, alert_id: str, **params: object) -> dict:
    answer = api.get(f"/alerts/{alert_id}/related", params=params)
    assert answer.status_code == 200, answer.text
    return answer.json()


def _ingest(api: httpx.Client, external_id: str, **fields: object) -> str:
    answer = api.post("/alerts", json=alert(external_id, **fields))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


def _until_indexed(api: httpx.Client, kind: str, value: str, count: int, cases: int = 0) -> None:
    """Until the index holds `count` alerts and `cases` cases with the observable (a case's
    observables may reach it after its alerts')."""
    deadline = time.monotonic() + 5
    while True:
        found = api.get("/observables/search", params={"type": kind, "value": value}).json()
        if found["alert_count"] >= count and found["case_count"] >= cases:
            return
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def test_alerts_and_cases_sharing_an_observable_or_the_host(api: httpx.Client, unique: str) -> None:
    c2 = {"type": "domain", "value": f"c2-{unique[:12]}.example.net"}
    ip = {"type": "ip", "value": "192.0.2.77"}
    host = {"hostname": f"WS-{unique[:8]}"}
    first = _ingest(api, f"{unique}-1", observables=[c2, ip], asset=host)
    both = _ingest(api, f"{unique}-2", observables=[c2, ip])
    domain_only = _ingest(api, f"{unique}-3", observables=[c2])
    same_host = _ingest(
        api, f"{unique}-4", observables=[], asset={"hostname": host["hostname"].lower()}
    )
    dismissed = _ingest(api, f"{unique}-5", observables=[c2])
    assert (
        api.post(f"/alerts/{dismissed}/dismiss", json={"reason_code": "benign"}).status_code == 200
    )
    escalated = _ingest(api, f"{unique}-6", observables=[c2])
    case_id = api.post(f"/alerts/{escalated}/escalate", json={"case_id": None}).json()["case_id"]
    _until_indexed(api, "domain", c2["value"], 5, cases=1)

    items = _related(api, first)["items"]
    by_id = {item["id"]: item for item in items}
    assert set(by_id) == {both, domain_only, same_host, case_id}  # not itself, not dismissed
    assert items[0]["id"] == both  # shares two
    assert {(s["type"], s["value"]) for s in by_id[both]["shared"]} == {
        ("domain", c2["value"]), ("ip", ip["value"])
    }  # fmt: skip
    assert by_id[same_host]["shared"] == [{"type": "hostname", "value": host["hostname"].lower()}]
    assert by_id[case_id]["kind"] == "case" and by_id[case_id]["number"] >= 1
    assert by_id[case_id]["status"] == "open"


def test_related_pages(api: httpx.Client, unique: str) -> None:
    value = {"type": "user", "value": f"svc-{unique[:12]}"}
    ids = [_ingest(api, f"{unique}-{n}", observables=[value]) for n in range(5)]
    _until_indexed(api, "user", value["value"], 5)
    first = _related(api, ids[0], limit=3)
    second = _related(api, ids[0], limit=3, cursor=first["next_cursor"])
    seen = [i["id"] for page in (first, second) for i in page["items"]]
    assert seen == ids[:0:-1]  # all four others, newest first
    assert second["next_cursor"] is None


def test_an_unknown_alert_is_404_and_a_bad_cursor_400(api: httpx.Client) -> None:
    assert api.get("/alerts/alert_nope/related").status_code == 404
    assert api.get("/alerts/alert_nope/related", params={"cursor": "junk"}).status_code == 400


def test_related_needs_cases_read_too(server: Server, unique: str) -> None:
    with server.client(server.token(scopes="alerts:read,alerts:write", name="ar")) as api:
        alert_id = _ingest(api, unique)
        answer = api.get(f"/alerts/{alert_id}/related")
    assert answer.status_code == 403
    assert answer.json()["details"] == {"required_scope": "cases:read"}


def test_the_alert_page_lists_related_and_escalates_them_together(fresh_server: Server) -> None:
    fresh_server.start()
    c2 = {"type": "domain", "value": "c2.together.example.net"}
    with fresh_server.client(fresh_server.token()) as api:
        first = _ingest(api, "t-1", observables=[c2], title="Beacon from WS-1")
        second = _ingest(api, "t-2", observables=[c2], title="Beacon from WS-2")
        held = _ingest(api, "t-3", observables=[c2], title="Beacon from WS-3")
        case_id = api.post(f"/alerts/{held}/escalate", json={"case_id": None}).json()["case_id"]
        _until_indexed(api, "domain", c2["value"], 3)
        ui = fresh_server.ui_client("admin@irbox.local", fresh_server.first_password)
        page = ui.get(f"/alerts/{first}").text
        related = page.split('id="related"', 1)[1].split("</table>", 1)[0]
        assert "Beacon from WS-2" in related and "case #1" in related
        assert "Escalate with 1 related alert(s) into case #1" in page
        csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
        answer = ui.post(f"/alerts/{first}/escalate-related", data={"csrf_token": csrf})
        assert answer.is_redirect and answer.headers["location"] == f"/cases/{case_id}"
        case = api.get(f"/cases/{case_id}").json()
        assert {a["id"] for a in case["alerts"]} == {first, second, held}
