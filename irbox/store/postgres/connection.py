"""psycopg connections that look like the seam's `Connection`: `?` placeholders, rows
readable by name and position, and values as the SQLite backend gives them (integers for
counts and sums, not Decimals)."""

from __future__ import annotations

import contextlib
import functools
from collections.abc import Callable, Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.adapt import Loader
from psycopg.types.numeric import Int8Dumper

from irbox.errors import StorageUnavailable, ValidationFailed
from irbox.store.database import Dialect, StorageError


class PgRow(tuple[Any, ...]):
    """A row by position or by column name, as sqlite3.Row reads."""

    names: tuple[str, ...] = ()
    positions: dict[str, int] = {}

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            return tuple.__getitem__(self, self.positions[key])
        return tuple.__getitem__(self, key)

    def keys(self) -> list[str]:
        return list(self.names)


@functools.lru_cache(maxsize=1024)
def _row_class(names: tuple[str, ...]) -> type[PgRow]:
    positions = {name: i for i, name in enumerate(names)}
    return type("PgRow", (PgRow,), {"names": names, "positions": positions, "__slots__": ()})


def pg_row(cursor: Any) -> Callable[[Sequence[Any]], PgRow]:
    """psycopg's row factory for `PgRow`s."""
    description = cursor.description
    if description is None:
        return PgRow
    cls = _row_class(tuple(column.name for column in description))
    return cls


class IntegralLoader(Loader):
    """numeric (what sum() and avg() of integers give) as int when whole, else float: the
    Python types SQLite gives for the same queries."""

    def load(self, data: Any) -> Any:
        value = Decimal(bytes(data).decode())
        return int(value) if value == value.to_integral_value() else float(value)


class BoolAsIntDumper(Int8Dumper):
    """Python's True and False go into the integer columns SQLite's schema uses for flags."""

    def dump(self, obj: Any) -> bytes:
        return b"1" if obj else b"0"


@functools.lru_cache(maxsize=4096)
def translate(sql: str) -> str:
    """The table modules' SQL in psycopg's: `?` becomes `%s`, `:name` `%(name)s` (`::` casts
    stay), `%` is doubled; quoted strings and identifiers are left as they are."""
    out = []
    quote = ""
    i, end = 0, len(sql)
    while i < end:
        char = sql[i]
        if quote:
            if char == quote:
                quote = ""
        elif char in "'\"":
            quote = char
        elif char == "?":
            out.append("%s")
            i += 1
            continue
        elif char == ":" and sql[i + 1 : i + 2] == ":":
            out.append("::")
            i += 2
            continue
        elif char == ":" and (i + 1 < end and (sql[i + 1].isalpha() or sql[i + 1] == "_")):
            j = i + 1
            while j < end and (sql[j].isalnum() or sql[j] == "_"):
                j += 1
            out.append(f"%({sql[i + 1 : j]})s")
            i = j
            continue
        out.append("%%" if char == "%" else char)
        i += 1
    return "".join(out)


@contextlib.contextmanager
def refusing_nul() -> Iterator[None]:
    """PostgreSQL's text cannot hold U+0000 (SQLite's can): a value with one is the caller's
    to fix, a 400 rather than a failure of the database."""
    try:
        yield
    except psycopg.DataError as exc:
        text = str(exc)
        if "NUL" in text or "0x00" in text:
            raise ValidationFailed(
                "text may not contain the NUL character (U+0000)", {"text": "contains U+0000"}
            ) from exc
        raise


class PgCursor:
    def __init__(self, cursor: psycopg.Cursor[Any]) -> None:
        self._cursor = cursor

    @property
    def rowcount(self) -> int:
        return self._cursor.rowcount

    @property
    def lastrowid(self) -> int | None:
        return None  # PostgreSQL has none: the table modules read ids with RETURNING

    def fetchone(self) -> Any:
        return self._cursor.fetchone() if self._cursor.description else None

    def fetchall(self) -> list[Any]:
        return self._cursor.fetchall() if self._cursor.description else []

    def __iter__(self) -> Iterator[Any]:
        return iter(self.fetchall())


class PgConnection:
    """One psycopg connection in autocommit mode: the callers open transactions with BEGIN,
    as on SQLite."""

    dialect: Dialect = "postgresql"

    def __init__(self, raw: psycopg.Connection[Any]) -> None:
        self.raw = raw

    def execute(self, sql: str, parameters: Any = None, /) -> PgCursor:
        cursor = self.raw.cursor()
        with refusing_nul():
            if parameters:
                cursor.execute(translate(sql), parameters)
            else:
                cursor.execute(sql)
        return PgCursor(cursor)

    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> PgCursor:
        cursor = self.raw.cursor()
        with refusing_nul():
            cursor.executemany(translate(sql), list(seq_of_parameters))
        return PgCursor(cursor)

    def in_transaction(self) -> bool:
        return self.raw.info.transaction_status != psycopg.pq.TransactionStatus.IDLE

    def close(self) -> None:
        self.raw.close()


def configure(raw: psycopg.Connection[Any]) -> None:
    """What every connection needs: rows and values as the table modules expect them."""
    raw.row_factory = pg_row
    raw.adapters.register_loader("numeric", IntegralLoader)
    raw.adapters.register_dumper(bool, BoolAsIntDumper)


def connect(url: str, **kwargs: Any) -> PgConnection:
    raw = psycopg.connect(url, autocommit=True, **kwargs)
    configure(raw)
    return PgConnection(raw)


# Failures that mean the database cannot serve now (gone, restarting, a standby that refuses
# writes, out of room) rather than a statement at fault: answered 503, retried by clients.
_UNAVAILABLE = (
    psycopg.OperationalError,
    pg_errors.ReadOnlySqlTransaction,
    pg_errors.AdminShutdown,
    pg_errors.CannotConnectNow,
    pg_errors.DiskFull,
    pg_errors.InsufficientResources,
    pg_errors.SerializationFailure,
    pg_errors.DeadlockDetected,
    pg_errors.LockNotAvailable,
)


def storage_error(exc: BaseException) -> StorageUnavailable | None:
    if isinstance(exc, _UNAVAILABLE):
        return StorageUnavailable(f"the database is not usable: {exc}")
    return None


def neutral_error(exc: psycopg.Error) -> StorageUnavailable | StorageError:
    return storage_error(exc) or StorageError(str(exc))


def with_password(url: str, password: str | None) -> str:
    return psycopg.conninfo.make_conninfo(url, password=password) if password else url
