"""Connections to the SQLite file with the pragmas every connection needs."""

from __future__ import annotations

import functools
import sqlite3
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any, Concatenate, ParamSpec, TypeVar

from irbox.errors import StorageUnavailable

T = TypeVar("T")
P = ParamSpec("P")
# A row as the stores hand it out (sqlite3.Row) or as a caller builds it (a dict).
RowLike = sqlite3.Row | Mapping[str, Any]

BUSY_TIMEOUT_MS = 5000


def connect(
    path: Path | str,
    *,
    readonly: bool = False,
    factory: type[sqlite3.Connection] | None = None,
    cached_statements: int = 128,
) -> sqlite3.Connection:
    """A connection in autocommit mode: transactions are opened explicitly with BEGIN."""
    conn = sqlite3.connect(
        path,
        isolation_level=None,
        check_same_thread=False,
        timeout=5,
        factory=factory or sqlite3.Connection,
        cached_statements=cached_statements,
    )
    conn.row_factory = sqlite3.Row
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    conn.execute("PRAGMA foreign_keys=ON")
    # FULL: with WAL, every commit fsyncs the WAL, so an acknowledged write survives power loss.
    conn.execute("PRAGMA synchronous=FULL")
    # Deleted rows' bytes are overwritten (a comment taken back for the password in it must not
    # stay readable in the file's free space). Debian's SQLite is built with this on; builds
    # without it would leave the words for any copy of the file to show.
    conn.execute("PRAGMA secure_delete=ON")
    if readonly:
        conn.execute("PRAGMA query_only=ON")
    return conn


def enable_wal(conn: sqlite3.Connection) -> None:
    mode = conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
    if mode.lower() != "wal":
        raise StorageUnavailable(f"SQLite refused WAL mode (got {mode})")


def storage_error(exc: sqlite3.Error) -> StorageUnavailable | None:
    """Errors that mean the storage itself is unusable (rather than a bug): answer 503."""
    text = str(exc).lower()
    markers = ("locked", "disk is full", "disk i/o", "readonly", "unable to open", "busy")
    if isinstance(exc, sqlite3.OperationalError) and any(m in text for m in markers):
        return StorageUnavailable(f"storage is not usable: {exc}")
    return None


def written(row: sqlite3.Row | None) -> sqlite3.Row:
    """A row the caller's own transaction just wrote or found: there by construction (a read
    inside the writer's transaction cannot miss it)."""
    if row is None:
        raise LookupError("a row this transaction wrote is missing")
    return row


class Database:
    """Hands out one read-only connection per thread; the `Writer` owns the only write path."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()

    def reader(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def read(
        self,
        fn: Callable[Concatenate[sqlite3.Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `fn(conn, *args)` in one read transaction (a consistent snapshot)."""
        conn = self.reader()
        try:
            conn.execute("BEGIN")
            try:
                return fn(conn, *args, **kwargs)
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise (storage_error(exc) or exc) from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()


def integrity_check(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA integrity_check").fetchone()[0]


def append(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], values: tuple[Any, ...]
) -> None:
    """Insert one row into an append-only log (audit, index outbox). On the writer's connection
    the insert waits for the end of the batch, where each log's rows go in with one statement
    (`insert_many`). Nothing reads these rows back inside a write."""
    defer = getattr(conn, "defer", None)
    if defer is None:
        insert_many(conn, table, columns, [values])
    else:
        defer(table, columns, values)


# Rows per multi-row statement: few enough that the parameters stay under SQLite's limit
# (32,766) and each row count is one cached statement.
ROWS_PER_STATEMENT = 500


def insert_many(
    conn: sqlite3.Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows in order with one multi-row statement (per `ROWS_PER_STATEMENT`): SQLite
    makes one pass over them where executemany returns to Python, and hands the GIL over, once
    per row."""
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for chunk in chunked(rows):
        conn.execute(head + values_list(len(columns), len(chunk)), flat(chunk))


def contains(column: str, text: str) -> tuple[str, str]:
    """A WHERE term and its parameter: `column` holds `text`, case-insensitively for ASCII
    (SQLite's LIKE), with `%`, `_` and the escape taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"{column} LIKE ? ESCAPE '\\'", f"%{escaped}%"


def moved_to_case(conn: sqlite3.Connection, table: str, from_case: str, to_case: str) -> list[str]:
    """Move `table`'s rows of `from_case` to `to_case` (for the table's own module, in a
    merge); the ids moved, in the order they were stored."""
    rows = conn.execute(
        f"UPDATE {table} SET case_id = ? WHERE case_id = ? RETURNING id, rowid",
        (to_case, from_case),
    ).fetchall()
    return [row[0] for row in sorted(rows, key=lambda row: row[1])]


def chunked(rows: list[T]) -> Iterator[list[T]]:
    for start in range(0, len(rows), ROWS_PER_STATEMENT):
        yield rows[start : start + ROWS_PER_STATEMENT]


def flat(rows: list[tuple[Any, ...]]) -> list[Any]:
    return [value for row in rows for value in row]


@functools.lru_cache(maxsize=512)
def values_list(columns: int, rows: int, tail: str = "") -> str:
    """`(?, ?), (?, ?)`: placeholders for `rows` rows of `columns` values (then `tail`, SQL)."""
    one = "(" + ", ".join("?" * columns) + tail + ")"
    return ", ".join([one] * rows)
