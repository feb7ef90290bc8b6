"""Reads from PostgreSQL: a pool of connections, each read in one REPEATABLE READ, READ ONLY
transaction (a consistent snapshot, as a SQLite read transaction is)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from irbox.errors import StorageUnavailable
from irbox.store.database import Connection, Dialect
from irbox.store.postgres.connection import PgConnection, configure, neutral_error

T = TypeVar("T")
P = ParamSpec("P")

# Readers: the API's threads and the background ones; a request waits this long for one.
POOL_MAX = 16
POOL_WAIT_S = 5.0


class PgDatabase:
    dialect: Dialect = "postgresql"

    def __init__(self, url: str, max_size: int = POOL_MAX) -> None:
        self.url = url
        self._pool: ConnectionPool[Any] = ConnectionPool(
            url,
            min_size=1,
            max_size=max_size,
            kwargs={"autocommit": True},
            configure=configure,
            check=ConnectionPool.check_connection,  # a connection the server dropped is replaced
            open=True,
            name="irbox-readers",
        )

    def read(
        self,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T:
        try:
            with self._pool.connection(timeout=POOL_WAIT_S) as raw:
                conn = PgConnection(raw)
                conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                try:
                    return fn(conn, *args, **kwargs)
                finally:
                    if conn.in_transaction():
                        conn.execute("ROLLBACK")  # nothing to keep: a read
        except PoolTimeout as exc:
            raise StorageUnavailable(f"no database connection: {exc}") from exc
        except psycopg.Error as exc:
            raise neutral_error(exc) from exc

    def close(self) -> None:
        self._pool.close()
