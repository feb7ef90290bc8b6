"""`irbox migrate --to postgresql://…`: an appliance's state, from its SQLite file into an empty
PostgreSQL database. Every table in foreign-key order with its ids and `seq` values, the
counters set past them, the text index built from the alerts; then each table's row count and
hash read back from both sides and compared. One transaction: a copy that fails leaves the
database as empty as it was. The server must be stopped (the data dir's lock is held)."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from typing import Any

import msgspec

from irbox.config import Config
from irbox.index.rebuild import Rebuilt, rebuild
from irbox.store import alerts as alerts_table
from irbox.store.database import Connection
from irbox.store.postgres import copy_in
from irbox.store.postgres import migrate as pg_migrate
from irbox.store.postgres.connection import PgConnection, connect
from irbox.store.postgres.database import PgDatabase
from irbox.store.sqlite import tables
from irbox.store.sqlite.database import SqliteDatabase

_encode = msgspec.json.Encoder().encode
_HASH_BITS = 128


class MoveError(Exception):
    pass


class TableCopied(msgspec.Struct):
    table: str
    rows: int
    digest: str


class Moved(msgspec.Struct):
    tables: list[TableCopied]
    seconds: float
    index: Rebuilt


def digest(conn: Connection, table: str, columns: list[str]) -> tuple[int, str]:
    """A table's row count and a hash of its rows that is blind to their order (a sum of each
    row's SHA-256), so either engine can read them in its own order."""
    total, count = 0, 0
    for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
        value = hashlib.sha256(_encode(list(row))).digest()
        total = (total + int.from_bytes(value[: _HASH_BITS // 8], "big")) % (1 << _HASH_BITS)
        count += 1
    return count, f"{total:032x}"


def move(config: Config, target: str) -> Moved:
    started = time.monotonic()
    source = SqliteDatabase(config.db_path)
    check = connect(target)
    try:
        if copy_in.holds_rows(check):
            raise MoveError("the target database is not empty (irbox copies into an empty one)")
    finally:
        check.close()
    pg_migrate.migrate(target)
    conn = connect(target)
    try:
        copied = source.read(_copy_all, conn)
    finally:
        conn.close()
    verify = PgDatabase(target, max_size=2)
    try:
        for table in copied:
            columns = source.read(tables.columns, table.table)
            count, hashed = verify.read(digest, table.table, columns)
            if (count, hashed) != (table.rows, table.digest):
                raise MoveError(
                    f"{table.table}: {count} rows (hash {hashed}) arrived where {table.rows}"
                    f" (hash {table.digest}) were sent"
                )
        index = rebuild(verify, config.index_path, config.index_memory_mb)
    finally:
        verify.close()
        source.close()
    return Moved(copied, round(time.monotonic() - started, 2), index)


def _copy_all(sqlite: Connection, conn: PgConnection) -> list[TableCopied]:
    """Inside the source's one read transaction: the same snapshot for every table."""
    copied = []
    conn.execute("BEGIN")
    try:
        for table in tables.in_order(sqlite):
            columns = tables.columns(sqlite, table)
            count, hashed = digest(sqlite, table, columns)
            rows = _rows(sqlite, table, columns)
            copy_in.clear_seeded(conn, table)
            if copy_in.copy_rows(conn, table, columns, rows) != count:
                raise MoveError(f"{table}: the rows changed while they were copied")
            copy_in.set_counter(conn, table, tables.counter(sqlite, table))
            copied.append(TableCopied(table, count, hashed))
        copy_in.fill_text_index(conn, alerts_table.WORDS_PG)
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return copied


def _rows(conn: Connection, table: str, columns: list[str]) -> Iterator[tuple[Any, ...]]:
    for row in conn.execute(f"SELECT {', '.join(columns)} FROM {table}"):
        yield tuple(row)
