"""Connections to the SQLite file with the pragmas every connection needs."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from irbox.errors import StorageUnavailable
from irbox.store.database import Dialect, StorageError

BUSY_TIMEOUT_MS = 5000


class SqliteConnection(sqlite3.Connection):
    dialect: Dialect = "sqlite"


def connect(
    path: Path | str,
    *,
    readonly: bool = False,
    factory: type[SqliteConnection] = SqliteConnection,
    cached_statements: int = 128,
) -> SqliteConnection:
    """A connection in autocommit mode: transactions are opened explicitly with BEGIN."""
    conn = sqlite3.connect(
        path,
        isolation_level=None,
        check_same_thread=False,
        timeout=5,
        factory=factory,
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


def storage_error(exc: BaseException) -> StorageUnavailable | None:
    """Errors that mean the storage itself is unusable (rather than a bug): answer 503."""
    if not isinstance(exc, sqlite3.OperationalError):
        return None
    text = str(exc).lower()
    markers = ("locked", "disk is full", "disk i/o", "readonly", "unable to open", "busy")
    if any(m in text for m in markers):
        return StorageUnavailable(f"storage is not usable: {exc}")
    return None


def neutral_error(exc: sqlite3.Error) -> StorageUnavailable | StorageError:
    """`exc` as the seam's errors: unavailable storage, or a statement refused."""
    return storage_error(exc) or StorageError(str(exc))


def integrity_check(conn: sqlite3.Connection) -> str:
    return conn.execute("PRAGMA integrity_check").fetchone()[0]
