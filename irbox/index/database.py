"""The DuckDB file holding the observable index. One process (the server) owns it: DuckDB allows
one writing process. It is derived data: `irbox reindex` rebuilds it from SQLite.

Facts measured on this stack (DuckDB 2.0, 10 M rows) shaped the schema: filters on (type, value)
scan everything, while rows sorted by one combined 64-bit key let DuckDB skip all row groups but
one by their min/max; single-row inserts manage a few thousand rows/s while `INSERT … SELECT
unnest(?)` appends hundreds of thousands. So rows carry `key` (a hash of type and value) and are
appended in batches, then merged into sorted levels (`levels.py`). `sightings` holds one row per
(observable, alert or case), for the lists; `observables` holds each observable's counts and
first/last seen, so that the busiest observable answers as fast as a rare one."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb

from irbox.index import levels

# An air-gapped appliance must never try to download extensions, and DuckDB must not take the
# machine's memory: both are fixed here for every connection.
SETTINGS: dict[str, str | bool | int | float | list[str]] = {
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "memory_limit": "192MB",  # the default; `index_memory_mb` sets it
    "threads": 1,
}

TABLES = (
    # `detected`: when the source saw a created alert (the dashboard's volume by day)
    "CREATE TABLE IF NOT EXISTS alert_log (alert_id VARCHAR NOT NULL, source VARCHAR,"
    " severity VARCHAR, kind VARCHAR NOT NULL, ts BIGINT NOT NULL, detected BIGINT)",
    "CREATE TABLE IF NOT EXISTS case_log (case_id VARCHAR NOT NULL, kind VARCHAR NOT NULL,"
    " ts BIGINT NOT NULL)",
    "CREATE TABLE IF NOT EXISTS meta (name VARCHAR PRIMARY KEY, value BIGINT NOT NULL)",
    # Observables taken off a case: its sightings of them up to `seen_until` no longer count
    # (the levels are rewritten only by merges, so a removal is recorded beside them).
    "CREATE TABLE IF NOT EXISTS removed_sightings (key UBIGINT NOT NULL,"
    " entity_id VARCHAR NOT NULL, seen_until BIGINT NOT NULL)",
)


# Bumped whenever the tables change meaning: an index file of another version is rebuilt. The
# DuckDB version is part of it too: `key` is DuckDB's own hash(), computed by DuckDB in batches
# and folded into constants at query time, and another release may hash differently.
SCHEMA_VERSION = 5
KEY_OF_COLUMNS = "hash(type || chr(0) || value)"
KEY_OF_PARAMS = "hash(?::VARCHAR || chr(0) || ?::VARCHAR)"


def index_version() -> int:
    digits = [
        int("".join(c for c in part if c.isdigit()) or 0)
        for part in duckdb.__version__.split(".")[:3]
    ]
    major, minor, patch = ([*digits, 0, 0, 0])[:3]
    return SCHEMA_VERSION * 10**9 + major * 10**6 + minor * 10**3 + patch


class IndexLocked(Exception):
    """Another process (normally the running server) holds the index file."""


class IndexDatabase:
    def __init__(self, path: Path | str, *, memory_mb: int | None = None) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._local = threading.local()
        try:
            settings = dict(SETTINGS)
            if memory_mb is not None:
                settings["memory_limit"] = f"{memory_mb}MB"
            self._conn: duckdb.DuckDBPyConnection | None = duckdb.connect(
                str(self.path), config=settings
            )
        except duckdb.IOException as exc:
            if "lock" in str(exc).lower():
                raise IndexLocked(str(exc)) from None
            raise
        for ddl in TABLES:
            self._conn.execute(ddl)
        levels.create(self._conn)

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of this thread's own (DuckDB connections are not shared by threads)."""
        cur = getattr(self._local, "cursor", None)
        if cur is None:
            if self._conn is None:
                raise duckdb.ConnectionException("the index is closed")
            cur = self._conn.cursor()
            self._local.cursor = cur
        return cur

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple[Any, ...]]:
        return self.cursor().execute(sql, params or []).fetchall()

    @contextmanager
    def snapshot(self) -> Iterator[None]:
        """Queries inside see one consistent state of the index (one read transaction)."""
        cur = self.cursor()
        cur.execute("BEGIN TRANSACTION")
        try:
            yield
        finally:
            cur.execute("COMMIT")

    def applied_seq(self) -> int:
        return self.meta("applied_seq")

    def meta(self, name: str) -> int:
        rows = self.query("SELECT value FROM meta WHERE name = ?", [name])
        return rows[0][0] if rows else 0

    def set_meta(self, name: str, value: int) -> None:
        self.cursor().execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [name, value])

    def ping(self) -> bool:
        """True when the index answers a query."""
        try:
            self.query("SELECT count(*) FROM meta")
            return True
        except duckdb.Error:
            return False

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
