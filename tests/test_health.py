"""GET /healthz and /api/v1/healthz."""

from __future__ import annotations

import httpx

from tests.harness import Server


def test_healthz_shape_on_both_paths(server: Server) -> None:
    for path in ("/healthz", "/api/v1/healthz"):
        r = httpx.get(server.url + path)
        assert r.status_code == 200
        assert r.json() == {
            "status": "ok",
            "db": "ok",
            "ch": "ok",
            "license": "community",
            "grace_h": 0,
        }
        probe = httpx.head(server.url + path)  # probes that ask with HEAD get the status alone
        assert probe.status_code == 200 and probe.content == b""


def test_storage_that_does_not_work_reports_down(tmp_path) -> None:
    """A data dir whose irbox.db is not a database: db is down, status degraded."""
    from irbox.index.database import IndexDatabase
    from irbox.operations.health import HealthService
    from irbox.store.sqlite.database import SqliteDatabase as Database
    from irbox.store.sqlite.migrate import migrate
    from irbox.store.sqlite.writer import open_writer as Writer

    path = tmp_path / "irbox.db"
    migrate(path)
    writer = Writer(path)
    index = IndexDatabase(tmp_path / "index.duckdb")
    healthy = HealthService(Database(path), writer, index, _license(path, writer)).report()
    assert healthy.db == "ok" and healthy.status == "ok"
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"this is not a database" * 200)
    report = HealthService(Database(broken), writer, index, _license(path, writer)).report()
    assert report.db == "down" and report.status == "degraded"
    writer.close()
    stopped = HealthService(Database(path), writer, index, _license(path, writer)).report()
    assert stopped.db == "down"
    index.close()
    assert (
        HealthService(Database(path), Writer(path), index, _license(path, writer)).report().ch
        == "down"
    )


def test_index_lagging_when_a_change_waits_over_60_s(tmp_path) -> None:
    from irbox import clock
    from irbox.index.database import IndexDatabase
    from irbox.operations.health import HealthService
    from irbox.store import outbox
    from irbox.store.sqlite.database import SqliteDatabase as Database
    from irbox.store.sqlite.migrate import migrate
    from irbox.store.sqlite.writer import open_writer as Writer

    path = tmp_path / "irbox.db"
    migrate(path)
    writer = Writer(path)
    index = IndexDatabase(tmp_path / "index.duckdb")
    health = HealthService(Database(path), writer, index, _license(path, writer))
    writer.run_sync(lambda c: outbox.add(c, "alert_seen", "[]", clock.now_us() - 5_000_000))
    assert health.report().ch == "ok"  # pending, but only for 5 s
    writer.run_sync(
        lambda c: c.execute("UPDATE index_outbox SET created_at = created_at - 60000000")
    )
    report = health.report()
    assert report.ch == "lagging" and report.status == "degraded" and report.db == "ok"
    writer.close()
    index.close()


def _license(db_path, writer):
    from irbox.license.service import LicenseService
    from irbox.store.sqlite.database import SqliteDatabase as Database

    return LicenseService(Database(db_path), writer, db_path.parent / "license.json", [])
