"""GET /alerts: filters and cursor pagination."""

from __future__ import annotations

import threading

import httpx

from tests.harness import Server, alert


def _all_pages(api: httpx.Client, params: dict[str, object]) -> list[dict]:
    items, cursor = [], None
    while True:
        page = api.get("/alerts", params={**params, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200, page.text
        body = page.json()
        items.extend(body["items"])
        cursor = body["next_cursor"]
        if cursor is None:
            return items


def test_pages_return_each_alert_exactly_once_newest_first(api: httpx.Client, unique: str) -> None:
    source = f"pg-{unique}"
    created = [api.post("/alerts", json=alert(i, source=source)).json()["id"] for i in range(300)]
    items = _all_pages(api, {"source": source, "limit": 37})
    assert [i["id"] for i in items] == list(reversed(created))


def test_pagination_is_stable_under_concurrent_inserts(
    server: Server, admin_token: str, api: httpx.Client, unique: str
) -> None:
    source = f"cc-{unique}"
    before = [api.post("/alerts", json=alert(i, source=source)).json()["id"] for i in range(200)]
    stop = threading.Event()

    def insert_more() -> None:
        with server.client(admin_token) as c:
            n = 1000
            while not stop.is_set():
                c.post("/alerts", json=alert(n, source=source))
                n += 1

    writer = threading.Thread(target=insert_more)
    writer.start()
    try:
        first = api.get("/alerts", params={"source": source, "limit": 20}).json()
        seen = [i["id"] for i in first["items"]]
        rest = _all_pages(api, {"source": source, "limit": 20, "cursor": first["next_cursor"]})
        seen += [i["id"] for i in rest]
    finally:
        stop.set()
        writer.join()
    assert len(seen) == len(set(seen))  # nothing repeated
    assert set(before) <= set(seen)  # nothing that existed before was skipped


def test_filters(api: httpx.Client, unique: str) -> None:
    source = f"flt-{unique}"
    other = f"flt2-{unique}"
    a = api.post(
        "/alerts",
        json=alert(
            1,
            source=source,
            severity="low",
            title=f"alpha {unique}",
            detected_at="2026-01-01T00:00:00Z",
        ),
    ).json()["id"]
    b = api.post(
        "/alerts",
        json=alert(2, source=source, severity="critical", detected_at="2026-03-01T00:00:00Z"),
    ).json()["id"]
    c = api.post(
        "/alerts", json=alert(3, source=other, severity="low", detected_at="2026-05-01T00:00:00Z")
    ).json()["id"]
    api.post(f"/alerts/{b}/dismiss", json={"reason_code": "benign"})

    def ids(**params: str) -> list[str]:
        r = api.get("/alerts", params={"source": f"{source},{other}", **params})
        assert r.status_code == 200, r.text
        return [i["id"] for i in r.json()["items"]]

    assert ids() == [c, b, a]
    assert ids(severity="low") == [c, a]
    assert ids(severity="low,critical") == [c, b, a]
    assert ids(status="dismissed") == [b]
    assert ids(status="triage,escalated") == [c, a]
    assert ids(since="2026-02-01T00:00:00Z") == [c, b]
    assert ids(until="2026-03-01T00:00:00Z") == [b, a]
    assert ids(since="2026-02-01T00:00:00+01:00", until="2026-04-01T00:00:00Z") == [b]
    assert ids(q=f"ALPHA {unique}") == [a]
    assert api.get("/alerts", params={"source": other}).json()["items"][0]["id"] == c
    assert api.get("/alerts", params={"q": "100%_\\"}).status_code == 200


def test_list_items_leave_out_raw(api: httpx.Client, unique: str) -> None:
    source = f"raw-{unique}"
    api.post("/alerts", json=alert(1, source=source, raw={"big": "payload"}))
    item = api.get("/alerts", params={"source": source}).json()["items"][0]
    assert "raw" not in item and "description" not in item
    assert item["observables"] == [{"type": "ip", "value": "203.0.113.4"}]


def test_bad_query_values_are_400(api: httpx.Client) -> None:
    for params, field in [
        ({"status": "open"}, "status"),
        ({"severity": "urgent"}, "severity"),
        ({"since": "last week"}, "since"),
        ({"limit": "0"}, "limit"),
        ({"limit": "501"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"cursor": "garbage!"}, "cursor"),
    ]:
        r = api.get("/alerts", params=params)
        assert r.status_code == 400, (params, r.text)
        assert r.json()["error"] == "validation_error"
        assert field in r.json()["details"], r.json()


def test_get_unknown_alert_is_404(api: httpx.Client) -> None:
    r = api.get("/alerts/alert_01J00000000000000000000000")
    assert r.status_code == 404
    assert r.json()["error"] == "not_found"


def test_a_repeated_filter_adds_values(api: httpx.Client, unique: str) -> None:
    """`?severity=low&severity=high` means the same as `?severity=low,high` (not only the last)."""
    source = f"rep{unique}"
    for n, severity in enumerate(("low", "high", "medium")):
        api.post("/alerts", json=alert(f"{unique}-{n}", source=source, severity=severity))
    query = [("source", source), ("severity", "low"), ("severity", "high")]
    repeated = api.get("/alerts", params=query).json()["items"]
    listed = api.get("/alerts", params={"source": source, "severity": "low,high"}).json()["items"]
    assert sorted(a["severity"] for a in repeated) == ["high", "low"]
    assert [a["id"] for a in repeated] == [a["id"] for a in listed]


def test_filter_by_tag(server: Server, api: httpx.Client, unique: str) -> None:
    c2, phish = f"c2-{unique[:12]}", f"phish-{unique[:12]}"
    ids = {
        name: api.post("/alerts", json=alert(f"{unique}-{name}", tags=tags)).json()["id"]
        for name, tags in (("both", [c2, phish]), ("c2", [c2]), ("none", []))
    }
    listed = api.get("/alerts", params={"tag": c2}).json()["items"]
    assert [a["id"] for a in listed] == [ids["c2"], ids["both"]]
    either = api.get("/alerts", params={"tag": f"{phish},{c2}"}).json()["items"]
    assert {a["id"] for a in either} == {ids["both"], ids["c2"]}
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/alerts", params={"tag": phish}).text
    assert f'id="row-{ids["both"]}"' in page and f'id="row-{ids["c2"]}"' not in page
    bulk = {"action": "tag", "filter": {"tag": phish}, "tags": ["seen"]}
    assert api.post("/alerts/bulk", json=bulk).json()["matched"] == 1
