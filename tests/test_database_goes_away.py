"""PostgreSQL goes away, or turns read-only as a standby is: irbox answers 503 `unavailable`
(never 500) and `/healthz` says `"db":"down"`, nothing it acknowledged is lost, and it works
again by itself once the database is back, without a restart."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from tests.harness import Server
from tests.postgres import PostgresCluster


@pytest.fixture
def cluster() -> Iterator[PostgresCluster]:
    pg = PostgresCluster().start()
    yield pg
    pg.stop()


def _alert(n: int) -> dict:
    return {
        "source": "edr", "external_id": f"outage-{n}", "severity": "medium",
        "title": f"alert {n}", "detected_at": "2026-06-02T09:14:00Z",
    }  # fmt: skip


def _until(check: object, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():  # type: ignore[operator]
        assert time.monotonic() < deadline, "not within the time allowed"
        time.sleep(0.2)


def _health(server: Server) -> httpx.Response:
    return httpx.get(server.url + "/healthz", timeout=10)


def test_a_database_that_goes_away_and_comes_back(tmp_path: Path, cluster: PostgresCluster) -> None:
    server = Server(tmp_path / "data", database_url=cluster.fresh_database()).start()
    token = server.token()
    acknowledged = []
    with server.client(token) as api:
        for n in range(20):
            answer = api.post("/alerts", json=_alert(n))
            assert answer.status_code == 201
            acknowledged.append(answer.json()["id"])

        cluster.pause()
        refused = api.post("/alerts", json=_alert(100))
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"] == "unavailable"
        listed = api.get("/alerts")
        assert listed.status_code == 503 and listed.json()["error"] == "unavailable"
        down = _health(server)
        assert down.status_code == 503 and down.json()["db"] == "down"

        cluster.resume()
        _until(lambda: api.post("/alerts", json=_alert(101)).status_code == 201)
        _until(lambda: _health(server).json()["db"] == "ok")
        stored = {a["id"] for a in api.get("/alerts", params={"limit": 200}).json()["items"]}
        assert set(acknowledged) <= stored
    server.kill()


def test_a_read_only_database_refuses_writes_not_reads(
    tmp_path: Path, cluster: PostgresCluster
) -> None:
    url = cluster.fresh_database()
    server = Server(tmp_path / "data", database_url=url).start()
    with server.client(server.token()) as api:
        first = api.post("/alerts", json=_alert(1)).json()["id"]
        with psycopg.connect(url, autocommit=True) as admin:  # what a standby answers
            admin.execute("ALTER SYSTEM SET default_transaction_read_only = on")
            admin.execute("SELECT pg_reload_conf()")
        _until(lambda: api.post("/alerts", json=_alert(2)).status_code == 503)
        refused = api.post("/alerts", json=_alert(3))
        assert refused.status_code == 503 and refused.json()["error"] == "unavailable"
        assert api.get(f"/alerts/{first}").status_code == 200  # reads go on
        assert _health(server).json()["db"] == "down"

        with psycopg.connect(url, autocommit=True) as admin:  # promoted: writable again
            admin.execute("SET default_transaction_read_only = off")
            admin.execute("ALTER SYSTEM RESET default_transaction_read_only")
            admin.execute("SELECT pg_reload_conf()")
        _until(lambda: api.post("/alerts", json=_alert(4)).status_code == 201)
        _until(lambda: _health(server).json()["db"] == "ok")
    server.kill()
