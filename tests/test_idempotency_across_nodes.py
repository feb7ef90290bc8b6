"""Idempotency-Key across two nodes serving one PostgreSQL database: a request in flight on one
node is refused on the other (its record is a row, not a node's memory); a retry on the other
node replays what the first answered; a node that died with a request in flight holds the key
a lease (two minutes), then a retry runs, while a live node renews it for as long as the
request takes."""

from __future__ import annotations

import os
import signal
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.harness import Server, alert, nodes
from tests.postgres import PostgresCluster
from tests.seaweed import SeaweedS3


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


def test_a_request_running_past_its_lease_stays_in_flight(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    """A request longer than a lease (an upload the bucket is slow to take) keeps its key: its
    node renews the lease while it runs, so a retry on the other node is refused rather than
    run a second time, and replays the answer once there is one."""
    s3 = SeaweedS3().start()
    try:
        env = {**s3.config(s3.bucket()), "IRBOX_IDEMPOTENCY_LEASE_S": "2"}
        a, b = nodes(tmp_path, postgres.fresh_database(), env=env)
        a.start()
        b.start()
        token = a.token()
        with a.client(token) as on_a, b.client(token) as on_b, ThreadPoolExecutor(1) as pool:
            case_id = on_a.post("/cases", json={"title": "slow bucket", "severity": "low"})
            case_id = case_id.json()["id"]
            path = f"/cases/{case_id}/attachments"
            form = on_a.build_request("POST", path, files={"file": ("mem.dmp", b"an image")})
            body = form.read()  # one multipart boundary: the retries send the same bytes
            key = {"Idempotency-Key": "k-slow-upload", "Content-Type": form.headers["content-type"]}
            assert s3.proc is not None
            s3_pid = s3.proc.pid
            os.kill(s3_pid, signal.SIGSTOP)  # the bucket answers nothing for a while
            try:
                first = pool.submit(on_a.post, path, content=body, headers=key, timeout=60)
                time.sleep(4)  # two leases
                assert not first.done()
                retried = on_b.post(path, content=body, headers=key, timeout=10)
                assert retried.status_code == 409, retried.text
                assert "in flight" in retried.json()["message"]
            finally:
                os.kill(s3_pid, signal.SIGCONT)
            assert first.result(timeout=60).status_code == 201
            replayed = on_b.post(path, content=body, headers=key, timeout=10)
            assert replayed.status_code == 201 and replayed.headers["Idempotent-Replayed"] == "true"
            assert len(on_b.get(f"/cases/{case_id}").json()["evidence"]) == 1
        a.stop()
        b.stop()
    finally:
        s3.stop()
