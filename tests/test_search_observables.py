"""GET /observables/search: "have we seen this before?", within a second of ingest."""

from __future__ import annotations

import json
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import httpx

from tests.harness import Server, alert


def _search(api: httpx.Client, kind: str, value: str, **params: object) -> dict:
    r = api.get("/observables/search", params={"type": kind, "value": value, **params})
    assert r.status_code == 200, r.text
    return r.json()


def _wait_for(api: httpx.Client, kind: str, value: str, alerts: int, cases: int = 0) -> dict:
    deadline = time.monotonic() + 1.0  # the promise: searchable within one second
    while True:
        found = _search(api, kind, value)
        if found["alert_count"] >= alerts and found["case_count"] >= cases:
            return found
        assert time.monotonic() < deadline, f"not searchable within 1 s: {found}"
        time.sleep(0.02)


def test_an_ingested_alert_is_found_within_a_second(api: httpx.Client, unique: str) -> None:
    ip = f"10.{len(unique) % 250}.{hash(unique) % 250}.{hash(unique + 'x') % 250}"
    obs = [{"type": "ip", "value": ip}, {"type": "domain", "value": f"{unique}.Example.COM."}]
    alert_id = api.post("/alerts", json=alert(unique, observables=obs)).json()["id"]
    found = _wait_for(api, "domain", f"{unique}.example.com", 1)
    assert found["type"] == "domain" and found["value"] == f"{unique}.example.com"
    assert found["alert_count"] == 1 and found["case_count"] == 0
    assert [a["id"] for a in found["alerts"]] == [alert_id]
    assert found["alerts"][0]["title"] == f"Suspicious PowerShell on WS-{unique}"
    assert found["first_seen"] and found["first_seen"] == found["last_seen"]
    # the query value is normalised like ingest: case and trailing dot do not matter
    assert _search(api, "domain", f"{unique.upper()}.EXAMPLE.com.")["alert_count"] == 1


def test_ipv6_forms_are_one_observable(api: httpx.Client, unique: str) -> None:
    n = abs(hash(unique)) % 65535
    api.post(
        "/alerts",
        json=alert(unique, observables=[{"type": "ip", "value": f"2001:DB8:0:0:0:0:0:{n:X}"}]),
    )
    _wait_for(api, "ip", f"2001:db8::{n:x}", 1)
    assert _search(api, "ip", f"2001:0db8::{n:04x}")["alert_count"] == 1


def test_alerts_and_cases_counts_and_dedup(api: httpx.Client, unique: str) -> None:
    value = f"{unique}.c2.example"
    obs = [{"type": "domain", "value": value}]
    first = api.post("/alerts", json=alert(f"{unique}-1", observables=obs)).json()["id"]
    second = api.post("/alerts", json=alert(f"{unique}-2", observables=obs)).json()["id"]
    api.post("/alerts", json=alert(f"{unique}-1", observables=obs))  # a duplicate occurrence
    case_id = api.post(f"/alerts/{first}/escalate", json={}).json()["case_id"]
    found = _wait_for(api, "domain", value, 2, 1)
    assert found["alert_count"] == 2 and found["case_count"] == 1
    assert [a["id"] for a in found["alerts"]] == [second, first]  # newest first
    assert found["cases"][0]["id"] == case_id and found["cases"][0]["number"] >= 1
    assert found["alerts"][1]["status"] == "escalated"
    assert found["last_seen"] > found["first_seen"]


def test_case_observables_are_found(api: httpx.Client, unique: str) -> None:
    case_id = api.post(
        "/cases",
        json={
            "title": "x",
            "severity": "low",
            "observables": [{"type": "hash", "value": "b" * 64}],
        },
    ).json()["id"]
    api.post(f"/cases/{case_id}/observables", json={"type": "user", "value": f"corp\\{unique}"})
    found = _wait_for(api, "user", f"corp\\{unique}", 0, 1)
    assert [c["id"] for c in found["cases"]] == [case_id]


def test_pages_of_alerts(api: httpx.Client, unique: str) -> None:
    value = f"{unique}.paged.example"
    ids = [
        api.post(
            "/alerts", json=alert(f"{unique}-{i}", observables=[{"type": "domain", "value": value}])
        ).json()["id"]
        for i in range(7)
    ]
    _wait_for(api, "domain", value, 7)
    for limit, pages in ((3, [3, 3, 1]), (7, [7])):  # no empty last page: null when done
        seen, sizes, cursor = [], [], None
        while True:
            extra = {"cursor": cursor} if cursor else {}
            page = _search(api, "domain", value, limit=limit, **extra)
            assert page["alert_count"] == 7
            seen += [a["id"] for a in page["alerts"]]
            sizes.append(len(page["alerts"]))
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == list(reversed(ids)) and sizes == pages


def test_unknown_and_invalid(api: httpx.Client, unique: str) -> None:
    found = _search(api, "domain", f"never-{unique}.example")
    assert found == {
        "type": "domain",
        "value": f"never-{unique}.example",
        "first_seen": None,
        "last_seen": None,
        "alert_count": 0,
        "case_count": 0,
        "alerts": [],
        "cases": [],
        "suppressions": [],
        "next_cursor": None,
    }
    r = api.get("/observables/search", params={"type": "ip", "value": "not-an-ip"})
    assert r.status_code == 400 and "value" in r.json()["details"]
    r = api.get("/observables/search", params={"type": "planet", "value": "x"})
    assert r.status_code == 400 and "type" in r.json()["details"]
    assert api.get("/observables/search", params={"type": "ip"}).status_code == 400
    bad_cursor = {"type": "ip", "value": "1.2.3.4", "cursor": "zzz"}
    assert api.get("/observables/search", params=bad_cursor).status_code == 400


def test_a_raw_utf8_query_string_is_read_as_utf8(
    server: Server, api: httpx.Client, admin_token: str, unique: str
) -> None:
    """curl sends `?value=bücher.example` unencoded; Litestar alone read those bytes as
    Latin-1 (`bÃ¼cher`) and refused the name."""
    name = f"bücher-{unique}.example"
    api.post("/alerts", json=alert(unique, observables=[{"type": "domain", "value": name}]))
    punycode = _wait_for(api, "domain", name, 1)["value"]
    request = (
        f"GET /api/v1/observables/search?type=domain&value={name} HTTP/1.1\r\n"
        f"Host: 127.0.0.1\r\nAuthorization: Bearer {admin_token}\r\nConnection: close\r\n\r\n"
    ).encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as raw:
        raw.sendall(request)
        answer = b"".join(iter(lambda: raw.recv(65536), b""))
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), answer[:300]
    found = json.loads(body)
    assert found["value"] == punycode and found["alert_count"] == 1


def test_search_is_whole_across_merged_index_levels(fresh_server: Server) -> None:
    """Enough alerts through the server that the index's tail is merged into a sorted level
    while ingest goes on (levels.TAIL_ROWS sightings): every alert stays findable, counted
    once. The merges themselves are checked after the server stops."""
    import duckdb

    from irbox.index.levels import TAIL_ROWS

    per_alert = 6
    alerts = TAIL_ROWS // per_alert + 1_000
    fresh_server.env.update(IRBOX_RATE_LIMIT_PER_MINUTE="10000000", IRBOX_RATE_LIMIT_BURST="100000")
    fresh_server.start()
    token = fresh_server.token()

    def ingest(part: int) -> None:
        with fresh_server.client(token) as api:
            for n in range(part, alerts, 8):
                obs = [{"type": "ip", "value": "198.51.100.7"}] + [
                    {"type": "domain", "value": f"h{n}-{k}.merge.example"} for k in range(5)
                ]
                r = api.post("/alerts", json=alert(f"m{n}", observables=obs))
                assert r.status_code == 201, r.text

    with ThreadPoolExecutor(8) as pool:
        list(pool.map(ingest, range(8)))
    with fresh_server.client(token) as api:
        found = _wait_for(api, "ip", "198.51.100.7", alerts)
        assert found["alert_count"] == alerts
        seen, cursor = 0, None
        while True:  # every alert once across the levels, in pages of 500
            page = _search(
                api, "ip", "198.51.100.7", limit=500, **({"cursor": cursor} if cursor else {})
            )
            seen += len(page["alerts"])
            cursor = page["next_cursor"]
            if not cursor:
                break
        assert seen == alerts
        for n in (0, alerts // 2, alerts - 1):
            one = _search(api, "domain", f"h{n}-3.merge.example")
            assert one["alert_count"] == 1 and len(one["alerts"]) == 1
    fresh_server.stop()
    with duckdb.connect(str(fresh_server.data_dir / "index.duckdb"), read_only=True) as db:
        sorted_rows = db.execute("SELECT count(*) FROM sightings_1").fetchone()[0]
        total = db.execute("SELECT count(*) FROM sightings").fetchone()[0]
    assert sorted_rows >= TAIL_ROWS and total == alerts * per_alert  # merged, nothing twice
