"""Paste anything: an analyst pastes an indicator as a threat report writes it (defanged, no type
picked) and irbox finds it. Values are refanged at ingest and at search (`hxxp://`, `[.]`, `(.)`,
`[@]`, `[:]`), and a search without a type detects it from the value, trying each type that fits
when unsure."""

from __future__ import annotations

import time

import httpx

from tests.harness import Server, alert


def _search(api: httpx.Client, value: str, **params: str) -> dict:
    answer = api.get("/observables/search", params={"value": value, **params})
    assert answer.status_code == 200, answer.text
    return answer.json()


def _until_found(api: httpx.Client, value: str, kind: str) -> dict:
    deadline = time.monotonic() + 5
    while True:
        found = _search(api, value, type=kind)
        if found["alert_count"]:
            return found
        assert time.monotonic() < deadline, found
        time.sleep(0.05)


def test_defanged_values_are_stored_refanged(api: httpx.Client, unique: str) -> None:
    domain = f"evil-{unique[:10]}[.]example[.]com"
    observables = [
        {"type": "domain", "value": domain},
        {"type": "url", "value": f"hxxps[://]evil-{unique[:10]}(.)example.com/a"},
        {"type": "email", "value": "ceo[@]victim[.]example"},
        {"type": "ip", "value": "198.51.100[.]23"},
    ]
    created = api.post("/alerts", json=alert(unique, observables=observables))
    stored = api.get(f"/alerts/{created.json()['id']}").json()["observables"]
    assert [o["value"] for o in stored] == [
        f"evil-{unique[:10]}.example.com",
        f"https://evil-{unique[:10]}.example.com/a",
        "ceo@victim.example",
        "198.51.100.23",
    ]


def test_a_pasted_value_is_found_without_a_type(api: httpx.Client, unique: str) -> None:
    plain = f"c2-{unique[:10]}.example.org"
    observables = [{"type": "domain", "value": plain}, {"type": "hostname", "value": "ws-77"}]
    alert_id = api.post("/alerts", json=alert(unique, observables=observables)).json()["id"]
    _until_found(api, plain, "domain")
    defanged = _search(api, plain.replace(".", "[.]"))
    assert defanged["type"] == "domain" and defanged["value"] == plain
    assert [a["id"] for a in defanged["alerts"]] == [alert_id]
    # Unsure (a bare name could be a domain, a host, a user...): the type it was seen as.
    _until_found(api, "ws-77", "hostname")
    assert _search(api, "WS-77", type="auto")["type"] == "hostname"
    assert _search(api, "203.0.113[.]9")["type"] == "ip"
    assert _search(api, "d41d8cd98f00b204e9800998ecf8427e")["type"] == "hash"


def test_the_observable_page_detects_the_type(
    server: Server, api: httpx.Client, unique: str
) -> None:
    plain = f"page-{unique[:10]}.example.net"
    api.post("/alerts", json=alert(unique, observables=[{"type": "domain", "value": plain}]))
    _until_found(api, plain, "domain")
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/observables", params={"value": plain.replace(".", "[.]")})
    assert page.status_code == 200
    assert f'domain <span class="mono">{plain}</span>' in page.text
    assert '<option value="auto" selected>' in page.text
