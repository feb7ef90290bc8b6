"""Two irbox nodes serving one PostgreSQL database: what one node changes that the other keeps
in memory reaches it within a second. A key revoked on one is refused on the other (its key
cache would otherwise keep it for 5 s); a suppression made on one covers what the other
ingests (it would otherwise skip the look-up while it knew of none)."""

from __future__ import annotations

import time

from tests.harness import Server

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
