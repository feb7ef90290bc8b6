"""POST /alerts: create, dedup, validation, normalisation, concurrency."""

from __future__ import annotations

import gzip
import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import msgspec

from tests.harness import Server, alert


def test_first_ingest_creates_and_answers_201(api: httpx.Client, unique: str) -> None:
    r = api.post("/alerts", json=alert(unique))
    assert r.status_code == 201
    body = r.json()
    assert body["id"].startswith("alert_") and len(body["id"]) == 32
    assert body == {"id": body["id"], "deduplicated": False, "status": "triage"}


def test_repeat_ingest_deduplicates_and_counts(api: httpx.Client, unique: str) -> None:
    first = api.post("/alerts", json=alert(unique)).json()
    again = api.post("/alerts", json=alert(unique, title="changed title"))
    assert again.status_code == 200
    assert again.json() == {"id": first["id"], "deduplicated": True, "status": "triage"}
    stored = api.get(f"/alerts/{first['id']}").json()
    assert stored["occurrences"] == 2
    assert stored["title"] == f"Suspicious PowerShell on WS-{unique}"  # nothing new stored
    assert stored["last_seen_at"] >= stored["first_seen_at"]


def test_whole_alert_round_trips(api: httpx.Client, unique: str) -> None:
    body = alert(
        unique,
        description="**bold** text",
        tags=["edr", "powershell", "edr"],
        asset={"hostname": "WS-042", "ip": "10.1.2.3", "owner": "jdoe@example.com"},
        detected_at="2026-06-02T11:14:00+02:00",
        raw={"original": "payload", "nested": {"n": [1, 2, 3]}},
    )
    created = api.post("/alerts", json=body).json()
    got = api.get(f"/alerts/{created['id']}").json()
    assert got["detected_at"] == "2026-06-02T09:14:00Z"  # offset normalised to UTC
    assert got["tags"] == ["edr", "powershell"]
    assert got["asset"] == body["asset"]
    assert got["raw"] == body["raw"]
    assert got["description"] == "**bold** text"
    assert got["status"] == "triage" and got["case_id"] is None and got["dismissal"] is None
    assert got["source"] == "edr" and got["external_id"] == f"ext-{unique}"


def test_observables_are_normalised_and_deduplicated(api: httpx.Client, unique: str) -> None:
    observables = [
        {"type": "ip", "value": "2001:DB8:0:0::1"},
        {"type": "domain", "value": "Bücher.Example.COM."},
        {"type": "email", "value": "JDoe@Example.COM"},
        {"type": "hash", "value": "DA39A3EE5E6B4B0D3255BFEF95601890AFD80709"},
        {"type": "url", "value": "HTTPS://Ex.COM/Path?Q=1"},
        {"type": "hostname", "value": "WS-042."},
        {"type": "ip", "value": "2001:db8::1"},
        {"type": "user", "value": "  CORP\\jdoe "},
    ]
    created = api.post("/alerts", json=alert(unique, observables=observables)).json()
    got = api.get(f"/alerts/{created['id']}").json()["observables"]
    assert got == [
        {"type": "ip", "value": "2001:db8::1"},
        {"type": "domain", "value": "xn--bcher-kva.example.com"},
        {"type": "email", "value": "jdoe@example.com"},
        {"type": "hash", "value": "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"type": "url", "value": "https://ex.com/Path?Q=1"},
        {"type": "hostname", "value": "ws-042"},
        {"type": "user", "value": "CORP\\jdoe"},
    ]


def test_every_bad_field_is_named(api: httpx.Client, unique: str) -> None:
    body = alert(
        unique,
        source="Bad Source",
        severity="urgent",
        detected_at="yesterday",
        observables=[
            {"type": "ip", "value": "203.0.113.4"},
            {"type": "ip", "value": "999.1.1.1"},
            {"type": "hash", "value": "abc"},
            {"type": "planet", "value": "mars"},
        ],
    )
    r = api.post("/alerts", json=body)
    assert r.status_code == 400
    err = r.json()
    assert err["error"] == "validation_error"
    assert set(err["details"]) == {
        "source",
        "severity",
        "detected_at",
        "observables[1].value",
        "observables[2].value",
        "observables[3].type",
    }
    assert api.get("/alerts", params={"q": unique}).json()["items"] == []  # nothing written


def test_structural_errors_name_the_field(api: httpx.Client, unique: str) -> None:
    missing = alert(unique)
    del missing["title"]
    r = api.post("/alerts", json=missing)
    assert r.status_code == 400 and "title" in r.json()["details"]
    r = api.post("/alerts", json=alert(unique, observables=[{"type": "ip", "value": 7}]))
    assert r.status_code == 400 and "observables[0].value" in r.json()["details"]
    r = api.post("/alerts", json=alert(unique, severty="high"))
    assert r.status_code == 400 and "severty" in r.json()["details"]


def test_limits(api: httpx.Client, unique: str) -> None:
    too_many = [{"type": "other", "value": f"v{i}"} for i in range(1001)]
    r = api.post("/alerts", json=alert(unique, observables=too_many))
    assert r.status_code == 400 and "observables" in r.json()["details"]
    r = api.post("/alerts", json=alert(unique, raw={"blob": "x" * (1024 * 1024)}))
    assert r.status_code == 400 and "raw" in r.json()["details"]
    r = api.post("/alerts", json=alert(unique, external_id="x" * 257, title=""))
    assert r.status_code == 400 and {"external_id", "title"} <= set(r.json()["details"])
    exactly = [{"type": "other", "value": f"v{i}"} for i in range(1000)]
    assert api.post("/alerts", json=alert(unique, observables=exactly)).status_code == 201


def test_a_source_is_the_whole_string(api: httpx.Client, unique: str) -> None:
    # The documented pattern anchors both ends; a trailing newline is not a source.
    r = api.post("/alerts", json=alert(unique, source="edr\n"))
    assert r.status_code == 400 and "source" in r.json()["details"]


def test_a_tag_is_measured_as_sent(api: httpx.Client, unique: str) -> None:
    padded = " " + "t" * 64  # 65 characters as sent: over the documented 64
    r = api.post("/alerts", json=alert(unique, tags=[padded]))
    assert r.status_code == 400 and "tags[0]" in r.json()["details"]


def test_deeply_nested_raw_is_refused(api: httpx.Client, unique: str) -> None:
    """Nothing is stored that could not be read back, and no depth makes a 500."""
    head = alert(unique)
    prefix = msgspec.json.encode(head)[:-1] + b',"raw":{"a":'
    for depth, field in ((101, "raw"), (5000, "body")):
        body = prefix + b"[" * depth + b"]" * depth + b"}}"
        r = api.post("/alerts", content=body, headers={"content-type": "application/json"})
        assert r.status_code == 400, r.text
        assert field in r.json()["details"]
    ok = prefix + b"[" * 99 + b"]" * 99 + b"}}"  # 100 levels with the object around
    r = api.post("/alerts", content=ok, headers={"content-type": "application/json"})
    assert r.status_code == 201, r.text
    assert api.get(f"/alerts/{r.json()['id']}").status_code == 200


def test_body_over_the_json_limit_is_413(api: httpx.Client, unique: str) -> None:
    r = api.post("/alerts", json=alert(unique, description="x" * (9 * 1024 * 1024)))
    assert r.status_code == 413
    assert r.json()["error"] == "payload_too_large"


def test_concurrent_duplicates_make_exactly_one_alert(
    server: Server, admin_token: str, unique: str
) -> None:
    def send(_: int) -> httpx.Response:
        with server.client(admin_token) as c:
            return c.post("/alerts", json=alert(unique))

    with ThreadPoolExecutor(16) as pool:
        responses = list(pool.map(send, range(64)))
    assert sorted(r.status_code for r in responses) == [200] * 63 + [201] * 1
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    with server.client(admin_token) as c:
        got = c.get(f"/alerts/{ids.pop()}").json()
        assert got["occurrences"] == 64
        assert len(c.get("/alerts", params={"q": f"WS-{unique}"}).json()["items"]) == 1


def test_compressed_bodies(api: httpx.Client, unique: str) -> None:
    """Log forwarders gzip what they post: gzip and deflate JSON bodies are inflated (bounded by
    the JSON limit after inflating); other encodings are a 415."""
    for n, (encoding, pack) in enumerate((("gzip", gzip.compress), ("deflate", zlib.compress))):
        body = pack(msgspec.json.encode(alert(f"{unique}-{n}")))
        headers = {"content-type": "application/json", "content-encoding": encoding}
        first = api.post("/alerts", content=body, headers=headers)
        assert first.status_code == 201, first.text
        again = api.post("/alerts", content=body, headers=headers)
        assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
        assert api.get(f"/alerts/{first.json()['id']}").json()["external_id"] == f"ext-{unique}-{n}"
    plain = {"content-type": "application/json"}
    bomb = gzip.compress(b" " * (64 * 2**20))  # 64 MiB of spaces in ~64 KiB
    refused = [
        ({**plain, "content-encoding": "gzip"}, bomb, 413),
        ({**plain, "content-encoding": "gzip"}, b"not gzip at all", 400),
        ({**plain, "content-encoding": "gzip"}, gzip.compress(b"{}")[:-6], 400),  # cut short
        ({**plain, "content-encoding": "br"}, b"{}", 415),
        ({"content-type": "text/plain", "content-encoding": "gzip"}, gzip.compress(b"x"), 415),
    ]
    for headers, body, status in refused:
        r = api.post("/alerts", content=body, headers=headers)
        assert r.status_code == status, (headers, r.text)
        assert set(r.json()) == {"error", "message", "details"}
