"""Idempotency-Key across two nodes serving one PostgreSQL database: a request in flight on one
node is refused on the other (its record is a row, not a node's memory); a retry on the other
node replays what the first answered; a node that died with a request in flight holds the key
two minutes, then a retry runs."""

from __future__ import annotations

import httpx

from tests.harness import Server, alert


def _post(api: httpx.Client, key: str, external: str) -> httpx.Response:
    return api.post("/alerts", json=alert(external), headers={"Idempotency-Key": key})


def _in_flight_elsewhere(node: Server, probe: str, held: str, started_ago_s: float) -> None:
    """Record, for key `held`, what a node handling a request leaves in the database while it
    is in flight; the caller (owner) is learnt from its earlier request with key `probe`."""
    with node.database() as conn:
        owner, at = conn.execute(
            "SELECT owner, created_at FROM idempotency_keys WHERE key = ?", (probe,)
        ).fetchone()
        conn.execute(
            "INSERT INTO idempotency_keys (owner, key, request_hash, status, content_type, body,"
            " created_at) VALUES (?, ?, 'h', -1, NULL, ?, ?)",
            (owner, held, b"", at - int(started_ago_s * 1e6)),
        )


def test_a_retry_on_the_other_node_replays(two_nodes: tuple[Server, Server]) -> None:
    a, b = two_nodes
    token = a.token()
    with a.client(token) as on_a, b.client(token) as on_b:
        first = _post(on_a, "k-across", "across")
        assert first.status_code == 201
        again = _post(on_b, "k-across", "across")
        assert again.status_code == 201 and again.headers["Idempotent-Replayed"] == "true"
        assert again.json() == first.json()


def test_a_key_in_flight_on_one_node_is_refused_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    token = a.token()
    with a.client(token) as on_a, b.client(token) as on_b:
        assert _post(on_a, "k-probe", "flight").status_code == 201
        _in_flight_elsewhere(a, "k-probe", "k-held-1", started_ago_s=1)
        refused = _post(on_b, "k-held-1", "flight-retried")
        assert refused.status_code == 409, refused.text
        assert "in flight" in refused.json()["message"]

        _in_flight_elsewhere(a, "k-probe", "k-held-2", started_ago_s=121)  # its node died
        ran = _post(on_b, "k-held-2", "gone-retried")
        assert ran.status_code == 201 and "Idempotent-Replayed" not in ran.headers
