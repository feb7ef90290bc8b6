"""The health report behind `/healthz`: cheap checks only, so probes get an answer in ms."""

from __future__ import annotations

from collections.abc import Callable

import msgspec

from irbox import clock
from irbox.errors import StorageUnavailable
from irbox.index.database import IndexDatabase
from irbox.license.service import LicenseService
from irbox.store import engine, outbox
from irbox.store.database import Connection, Database, StorageError
from irbox.store.writer import Writer

LAG_LIMIT_US = 60 * 1_000_000  # `ch` is lagging when a change waits longer than this


class Health(msgspec.Struct):
    status: str
    db: str
    ch: str
    license: str
    grace_h: int


class HealthService:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        index: IndexDatabase,
        license: LicenseService,
        index_missed_rows: Callable[[], bool] = lambda: False,
    ) -> None:
        self.index_missed_rows = index_missed_rows  # the indexer's: see Indexer.missed_rows
        self.license = license
        self.db = db
        self.writer = writer
        self.index = index

    def report(self) -> Health:
        db_ok = (
            self.writer.alive
            and self.writer.last_storage_error is None
            and self._database_answers()
        )
        ch = self._index_state()
        standing = self.license.status
        license_tier = "locked" if standing.locked else standing.tier
        grace_h = standing.grace_h
        healthy = db_ok and ch == "ok" and not standing.locked
        return Health(
            status="ok" if healthy else "degraded",
            db="ok" if db_ok else "down",
            ch=ch,
            license=license_tier,
            grace_h=grace_h,
        )

    def _index_state(self) -> str:
        if not self.index.ping():
            return "down"
        try:
            pending_since = self.db.read(outbox.oldest_after, self.index.applied_seq())
        except (StorageError, StorageUnavailable):  # what Database.read raises
            return "down"
        if pending_since is not None and clock.now_us() - pending_since > LAG_LIMIT_US:
            return "lagging"
        if self.index_missed_rows():
            return "lagging"
        return "ok"

    def _database_answers(self) -> bool:
        try:
            return self.db.read(_answers_and_takes_writes)
        except (StorageError, StorageUnavailable):  # what Database.read raises
            return False


def _answers_and_takes_writes(conn: Connection) -> bool:
    # Reads a real table, so a missing or foreign file fails here; one read for both.
    conn.execute("SELECT 1 FROM schema_migrations").fetchone()
    return engine.writable(conn)
