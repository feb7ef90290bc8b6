"""The index is derived: `irbox reindex` reproduces it, a crash before a flush loses nothing,
and a lost index file is rebuilt at start."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb

from irbox.index.database import IndexDatabase, index_version
from irbox.index.rebuild import REBUILD_REASONS, needs_rebuild
from irbox.services import Services
from irbox.store import outbox
from tests.harness import Server, alert

VALUES = [("domain", f"d{i}.example") for i in range(5)] + [("ip", "192.0.2.50")]


def _load(api, n: int = 12) -> None:
    # detected in the last days, so that the dashboard's volume has something to compare
    now = datetime.now(UTC)
    for i in range(n):
        obs = [{"type": t, "value": v} for t, v in VALUES[i % 3 : i % 3 + 3]]
        detected = (now - timedelta(days=i % 3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        r = api.post("/alerts", json=alert(f"r{i}", observables=obs, detected_at=detected))
        assert r.status_code == 201
        if i % 4 == 0:
            api.post(f"/alerts/{r.json()['id']}/escalate", json={})
        if i % 5 == 0:
            api.post("/alerts", json=alert(f"r{i}", observables=obs))  # duplicate occurrence
        if i % 4 == 1:
            api.post(f"/alerts/{r.json()['id']}/dismiss", json={"reason_code": "benign"})
    api.post(
        "/cases",
        json={
            "title": "direct",
            "severity": "low",
            "observables": [{"type": "ip", "value": "192.0.2.50"}],
        },
    )


def _answers(api) -> list[dict]:
    return [
        api.get("/observables/search", params={"type": t, "value": v, "limit": 500}).json()
        for t, v in VALUES
    ]


def _settle(api, expected_alerts: int, server: Server | None = None) -> list[dict]:
    """The answers once the index has applied everything `_load` wrote: every alert, and the
    case made last (only it holds the ip), which may be applied a flush after the alerts; with
    `server`, also every change after those (a duplicate's sighting moves only `last_seen`): its
    outbox is empty once the indexer applied and pruned all of it."""
    deadline = time.monotonic() + 5
    while True:
        applied = server is None or _outbox_rows(server) == 0  # before the answers are read
        answers = _answers(api)
        alerts_in = sum(a["alert_count"] for a in answers) >= expected_alerts
        settled = alerts_in and answers[-1]["case_count"] >= 1 and applied
        if settled or time.monotonic() > deadline:
            return answers
        time.sleep(0.05)


def _outbox_rows(server: Server) -> int:
    with server.database() as conn:
        return conn.execute("SELECT count(*) FROM index_outbox").fetchone()[0]


def test_reindex_reproduces_identical_answers(fresh_server: Server) -> None:
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:
        _load(api)
        before = _settle(api, 36, fresh_server)
    assert sum(a["alert_count"] for a in before) == 36
    with fresh_server.client(token) as api:
        stats_before = api.get("/stats", params={"window": "30d"}).json()
    assert stats_before["time_to_triage"]["count"] == 6  # 3 escalated, 3 dismissed
    del stats_before["since"]  # the window's start moves with the clock
    r = fresh_server.cli("reindex", check=False)
    assert r.returncode == 1 and "stop the irbox server" in r.stderr  # DuckDB's one-process lock
    assert fresh_server.stop() == 0
    out = fresh_server.cli("reindex").stdout
    assert "reindexed 12 alerts" in out
    fresh_server.start()
    with fresh_server.client(token) as api:
        assert _answers(api) == before
        # the dashboard's figures too: the live path and the rebuild unpack events alike
        stats_after = api.get("/stats", params={"window": "30d"}).json()
        del stats_after["since"]
        assert stats_after == stats_before
        assert len(stats_before["alert_volume"]) == 3  # three detection days


def test_kill_between_commit_and_flush_loses_nothing(fresh_server: Server) -> None:
    fresh_server.env["IRBOX_INDEX_FLUSH_MS"] = "600000"  # the indexer will not get to it
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:
        time.sleep(0.3)  # let the indexer's first pass (at start) go by
        _load(api)
    fresh_server.kill()
    index = duckdb.connect(str(fresh_server.data_dir / "index.duckdb"))
    unapplied = index.execute("SELECT count(*) FROM sightings").fetchone()[0]
    index.close()
    assert unapplied == 0, "the test meant to kill before any flush"
    del fresh_server.env["IRBOX_INDEX_FLUSH_MS"]
    fresh_server.start()
    with fresh_server.client(token) as api:
        answers = _settle(api, 36)
    assert sum(a["alert_count"] for a in answers) == 36
    assert answers[2]["case_count"] == 3  # d2.example: in all three escalated alerts
    assert answers[-1]["case_count"] == 1  # the ip: only on the case created directly


def test_a_lost_index_is_rebuilt_at_start(fresh_server: Server) -> None:
    fresh_server.start()
    token = fresh_server.token()
    with fresh_server.client(token) as api:
        _load(api)
        before = _settle(api, 36)
        time.sleep(6)  # past the outbox pruning interval: applied rows leave SQLite
    assert fresh_server.stop() == 0
    (fresh_server.data_dir / "index.duckdb").unlink()
    fresh_server.start()
    with fresh_server.client(token) as api:
        assert _answers(api) == before


def test_why_an_index_is_rebuilt(services: Services, tmp_path: Path) -> None:
    index = IndexDatabase(tmp_path / "index.duckdb")
    try:
        assert services.db.read(lambda conn: needs_rebuild(index, conn)) == "new"
        index.set_meta("schema_version", index_version() - 1)
        assert services.db.read(lambda conn: needs_rebuild(index, conn)) == "another version"
        index.set_meta("schema_version", index_version())
        assert services.db.read(lambda conn: needs_rebuild(index, conn)) is None
        # Outbox rows the index never applied are gone: only a rebuild can recover them.
        services.writer.run_sync(lambda conn: outbox.add(conn, "case_state", "[]", 0))
        services.writer.run_sync(lambda conn: outbox.prune_through(conn, 10**9))
        assert services.db.read(lambda conn: needs_rebuild(index, conn)) == "behind"
        assert set(REBUILD_REASONS) == {"new", "another version", "behind"}
    finally:
        index.close()
