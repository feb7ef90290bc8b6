"""The writer's side of PostgreSQL: one connection, a transaction per batch, and a new
connection when the server went away (the batch that met the failure answers 503; the next
one reconnects).

Every batch first takes one transaction-scoped advisory lock, the same on every node: the
nodes' writers take turns, as the one writer of SQLite does, so rows commit in `seq` order
and every reader that follows `seq` (the indexes' feed, the live queue, keyset pages) misses
nothing. PostgreSQL releases the lock only once the commit is visible, so the next holder's
`seq` values are handed out after it. What it costs two nodes: docs/performance.md."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

import psycopg

from irbox.errors import StorageUnavailable
from irbox.store.postgres.connection import PgConnection, configure, storage_error
from irbox.store.writer import Deferring, Writer

log = logging.getLogger("irbox.store.postgres")
CONNECT_TIMEOUT_S = 5
WRITE_LOCK_KEY = 0x1B0C_0002  # store/postgres/migrate.py holds 0x1B0C_0001
# A node stalled inside a batch (its process frozen, its network gone) is cut off after this,
# so that its lock does not hold up every other node's writes.
IDLE_IN_BATCH_LIMIT = "30s"


class PgWriteConnection(Deferring, PgConnection):
    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        super().__init__(raw)
        self.deferred = {}


class PgWriteBackend:
    def __init__(self, url: str) -> None:
        self._url = url
        self._conn: PgWriteConnection | None = None
        try:
            self._connect()
        except psycopg.Error as exc:  # the first batch tries again (and answers 503 meanwhile)
            log.warning("the database is not reachable yet: %s", exc)

    def _connect(self) -> PgWriteConnection:
        raw = psycopg.connect(self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        configure(raw)
        raw.execute(f"SET idle_in_transaction_session_timeout = '{IDLE_IN_BATCH_LIMIT}'")
        self._conn = PgWriteConnection(raw)
        return self._conn

    @property
    def conn(self) -> PgWriteConnection:
        if self._conn is None:
            raise StorageUnavailable("the database is not reachable")
        return self._conn

    def begin(self) -> None:
        if self._conn is None or self._conn.raw.closed or self._conn.raw.broken:
            try:
                self._connect()
            except psycopg.Error as exc:
                raise StorageUnavailable(f"the database is not reachable: {exc}") from exc
            log.info("the writer reconnected to the database")
        self.conn.execute(f"BEGIN; SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")

    def in_transaction(self) -> bool:
        conn = self._conn
        return conn is not None and not conn.raw.closed and conn.in_transaction()

    def storage_error(self, exc: BaseException) -> StorageUnavailable | None:
        if isinstance(exc, StorageUnavailable):
            return exc
        return storage_error(exc)

    def between_batches(self, commits: int) -> None:
        pass  # PostgreSQL checkpoints by itself

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()


def open_writer(
    url: str, on_commit: Callable[[int, float], None] = lambda writes, seconds: None
) -> Writer:
    return Writer(PgWriteBackend(url), on_commit=on_commit)
