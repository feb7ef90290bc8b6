"""Reads from the SQLite file: one read-only connection per thread."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Concatenate, ParamSpec, TypeVar

from irbox.store.database import Connection, Dialect
from irbox.store.sqlite.connection import SqliteConnection, connect, neutral_error

T = TypeVar("T")
P = ParamSpec("P")


class SqliteDatabase:
    """Hands out one read-only connection per thread; the `Writer` owns the only write path."""

    dialect: Dialect = "sqlite"

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[SqliteConnection] = []
        self._lock = threading.Lock()

    def reader(self) -> SqliteConnection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = connect(self.path, readonly=True)
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def read(
        self,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        """Run `fn(conn, *args)` in one read transaction (a consistent snapshot)."""
        try:
            conn = self.reader()
            conn.execute("BEGIN")
            try:
                return fn(conn, *args, **kwargs)
            finally:
                conn.execute("COMMIT")
        except sqlite3.Error as exc:
            raise neutral_error(exc) from exc

    def close(self) -> None:
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()
