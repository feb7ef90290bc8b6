"""Two irbox nodes serving one PostgreSQL database: what one node changes that the other keeps
in memory reaches it within a second. A key revoked on one is refused on the other (its key
cache would otherwise keep it for 5 s); a suppression made on one covers what the other
ingests (it would otherwise skip the look-up while it knew of none); a license installed on one
holds on the other; SLA targets set on one apply on the other."""

from __future__ import annotations

import json
import time

from tests.harness import Server
from tests.test_license import DAY, PUBLIC, license_doc

SEVERITIES = ("critical", "high", "medium", "low", "info")

ALERT = {
    "source": "edr", "severity": "low", "title": "scanner again",
    "detected_at": "2026-06-02T09:14:00Z", "observables": [{"type": "ip", "value": "192.0.2.99"}],
}  # fmt: skip


def _within(seconds: float, check: object) -> float:
    """How long `check()` took to hold (failing after `seconds`)."""
    started = time.monotonic()
    while not check():  # type: ignore[operator]
        assert time.monotonic() - started < seconds, f"not within {seconds} s"
        time.sleep(0.02)
    return time.monotonic() - started


def test_a_key_revoked_on_one_node_is_refused_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    with a.client(a.token()) as admin_on_a:
        made = admin_on_a.post("/api-keys", json={"name": "leaked"}).json()
        with b.client(made["token"]) as leaked_on_b:
            assert leaked_on_b.get("/alerts").status_code == 200  # in node b's key cache now
            assert admin_on_a.delete(f"/api-keys/{made['key']['id']}").status_code == 200
            _within(1.0, lambda: leaked_on_b.get("/alerts").status_code == 401)


def test_a_suppression_made_on_one_node_covers_ingest_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
        first = on_b.post("/alerts", json={**ALERT, "external_id": "s-0"}).json()
        assert first["status"] == "triage"  # no suppression yet: node b does not look
        suppression = {"type": "ip", "value": "192.0.2.99", "scope": "global", "reason": "ours"}
        assert on_a.post("/observables/suppress", json=suppression).status_code == 201
        n = iter(range(1, 1000))
        _within(
            1.0,
            lambda: (
                on_b.post("/alerts", json={**ALERT, "external_id": f"s-{next(n)}"}).json()["status"]
                == "dismissed"
            ),
        )


def test_a_license_installed_on_one_node_holds_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    for node in two_nodes:  # both trust the test key
        node.stop()
        node.env["IRBOX_LICENSE_PUBLIC_KEYS"] = PUBLIC
        node.start()
    document = json.dumps(license_doc(365 * DAY)).encode()
    with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
        assert on_b.get("/license").json()["tier"] == "community"
        installed = on_a.put(
            "/license", content=document, headers={"Content-Type": "application/json"}
        )
        assert installed.status_code == 200, installed.text
        _within(1.0, lambda: on_b.get("/license").json()["tier"] == "company")
    assert not (b.data_dir / "license.json").exists()  # b has it from the database
    b.stop()
    b.start()  # and keeps it across a restart
    with b.client(b.token()) as on_b:
        assert on_b.get("/license").json()["license"]["org"] == "Acme Sécurité"


def test_sla_targets_set_on_one_node_apply_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    targets = {s: {"triage_m": None, "resolve_h": None} for s in SEVERITIES}
    targets["critical"] = {"triage_m": 30, "resolve_h": 4}
    with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
        assert on_a.put("/settings/sla", json=targets).status_code == 200
        _within(1.0, lambda: on_b.get("/settings/sla").json()["critical"]["resolve_h"] == 4)
        case = on_b.post("/cases", json={"title": "timed", "severity": "critical"}).json()
        assert case["sla"] is not None and case["sla"]["due_at"]
