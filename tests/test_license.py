"""Licenses with a test key pair: valid, grace, locked, unlocked by upload, tampered, seats."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from irbox.license.signing import new_key_pair, sign
from tests.harness import Server, alert

ROOT = Path(__file__).resolve().parent.parent
PRIVATE, PUBLIC = new_key_pair()
DAY = 86_400


def _ts(offset_s: float) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + offset_s))


def license_doc(expires_in_s: float, seats: int = 10, grace_days: int = 14, **kw) -> dict:
    payload = {
        "license_id": "lic_test",
        "org": "Acme Sécurité",  # non-ASCII: signed as UTF-8
        "tier": "company",
        "seats": seats,
        "issued_at": _ts(-30 * DAY),
        "expires_at": _ts(expires_in_s),
        "grace_days": grace_days,
        **kw,
    }
    return sign(payload, PRIVATE)


@pytest.fixture
def licensed(fresh_server: Server) -> Server:
    fresh_server.env["IRBOX_LICENSE_PUBLIC_KEYS"] = PUBLIC
    return fresh_server


def _put(api: httpx.Client, doc: dict | bytes) -> httpx.Response:
    content = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return api.put("/license", content=content, headers={"Content-Type": "application/json"})


def _health(server: Server) -> dict:
    return httpx.get(server.url + "/healthz").json()


def test_community_without_a_license(server: Server, api: httpx.Client) -> None:
    status = api.get("/license").json()
    assert status["tier"] == "community" and status["status"] == "community"
    assert status["locked"] is False and status["license"] is None


def test_valid_license(licensed: Server) -> None:
    licensed.start()
    with licensed.client(licensed.token()) as api:
        r = _put(api, license_doc(365 * DAY))
        assert r.status_code == 200, r.text
        status = r.json()
        assert status["tier"] == "company" and status["status"] == "valid"
        assert status["license"]["org"] == "Acme Sécurité" and status["grace_h"] == 0
        assert api.get("/license").json() == status
    assert _health(licensed) == {
        "status": "ok",
        "db": "ok",
        "ch": "ok",
        "license": "company",
        "grace_h": 0,
    }
    assert (licensed.data_dir / "license.json").exists()


def test_grace_period_counts_hours(licensed: Server) -> None:
    licensed.start()
    with licensed.client(licensed.token()) as api:
        status = _put(api, license_doc(-2 * DAY - 3600)).json()  # expired 49 h ago
        assert status["status"] == "grace" and status["grace_h"] == 49
        assert status["reasons"] == ["expired"] and not status["locked"]
        assert api.post("/alerts", json=alert(1)).status_code == 201  # still working
    health = _health(licensed)
    assert health["license"] == "company" and health["grace_h"] == 49


def test_locked_answers_423_everywhere_and_stores_nothing(licensed: Server) -> None:
    licensed.start()
    token = licensed.token()
    with licensed.client(token) as api:
        case_id = api.post("/cases", json={"title": "before", "severity": "low"}).json()["id"]
        status = _put(api, license_doc(-20 * DAY, grace_days=14)).json()
        assert status["status"] == "locked" and status["locked"] is True
        for method, path, body in (
            ("POST", "/alerts", alert("locked")),
            ("GET", "/alerts", None),
            ("GET", f"/cases/{case_id}", None),
            ("PATCH", f"/cases/{case_id}", {"title": "during"}),
            ("POST", "/api-keys", {"name": "x"}),
            ("GET", "/me", None),
        ):
            r = api.request(method, path, json=body)
            assert r.status_code == 423, (method, path, r.status_code)
            assert r.json()["error"] == "license_locked"
        # Authentication comes first (the spec's order of checks): no token is 401, not 423.
        anonymous = httpx.get(licensed.url + "/api/v1/alerts")
        assert anonymous.status_code == 401
        assert api.get("/license").json()["status"] == "locked"  # exempt
    health = httpx.get(licensed.url + "/healthz")
    assert health.status_code == 200 and health.json()["license"] == "locked"
    assert health.json()["status"] == "degraded" and health.json()["grace_h"] >= 14 * 24
    assert httpx.get(licensed.url + "/api/v1/healthz").status_code == 200

    with licensed.client(token) as api:  # an upload unlocks at once
        assert _put(api, license_doc(365 * DAY)).json()["status"] == "valid"
        assert api.get(f"/cases/{case_id}").json()["title"] == "before"  # the PATCH wrote nothing
        assert api.get("/alerts", params={"q": "WS-locked"}).json()["items"] == []
        assert api.post("/alerts", json=alert("after")).status_code == 201


def test_tampered_or_foreign_license_is_400_and_keeps_the_current(licensed: Server) -> None:
    licensed.start()
    with licensed.client(licensed.token()) as api:
        good = license_doc(365 * DAY, seats=5)
        assert _put(api, good).status_code == 200
        tampered = json.loads(json.dumps(good))
        tampered["payload"]["seats"] = 500
        r = _put(api, tampered)
        assert r.status_code == 400 and r.json()["error"] == "validation_error"
        foreign_private, _ = new_key_pair()
        foreign = sign(good["payload"], foreign_private)
        assert _put(api, foreign).status_code == 400
        assert _put(api, b"not json").status_code == 400
        assert _put(api, {"payload": {}, "signature": "!!"}).status_code == 400
        unknown_tier = license_doc(365 * DAY, tier="platinum")
        assert _put(api, unknown_tier).status_code == 400
        assert api.get("/license").json()["license"]["seats"] == 5  # unchanged


def test_seats_exceeded_starts_grace(licensed: Server) -> None:
    licensed.start()
    with licensed.client(licensed.token()) as api:
        assert _put(api, license_doc(365 * DAY, seats=2)).json()["status"] == "valid"
        api.post("/users", json={"email": "b@x.example", "role": "viewer"})
        assert api.get("/license").json()["status"] == "valid"  # 2 of 2 seats
        third = api.post("/users", json={"email": "c@x.example", "role": "viewer"}).json()
        status = api.get("/license").json()
        assert status["status"] == "grace" and status["active_users"] == 3
        assert status["reasons"] == ["3 active users for 2 seats"] and status["grace_h"] == 0
        api.patch(f"/users/{third['user']['id']}", json={"disabled": True})
        assert api.get("/license").json()["status"] == "valid"  # back within seats


def test_cli_install_and_vendor_tool(licensed: Server, tmp_path: Path) -> None:
    key_file = tmp_path / "private.key"
    key_file.write_text(PRIVATE)
    out = tmp_path / "license.json"
    subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "license_tool.py"), "sign",
         "--private-key", str(key_file), "--org", "Acme", "--tier", "team", "--seats", "3",
         "--expires-at", _ts(30 * DAY), "--out", str(out)],
        check=True,
    )  # fmt: skip
    licensed.cli("init")
    result = licensed.cli("license", "install", str(out))
    assert "Acme" in result.stdout and "team" in result.stdout
    licensed.start()
    with licensed.client(licensed.token()) as api:
        status = api.get("/license").json()
        assert status["tier"] == "team" and status["status"] == "valid"
    bad = tmp_path / "bad.json"
    bad.write_text(out.read_text().replace('"seats": 3', '"seats": 30'))
    r = licensed.cli("license", "install", str(bad), check=False)
    assert r.returncode == 1 and "not a valid irbox license" in r.stderr
    keys = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "license_tool.py"), "keygen"],
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip
    assert keys.startswith("PRIVATE ") and "PUBLIC " in keys
