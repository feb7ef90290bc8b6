"""The seam between the services and a storage backend (SQLite in `store.sqlite`, PostgreSQL in
`store.postgres`). Services see a `Database` for reads and the `Writer` for writes; both hand
jobs a `Connection` whose rows are `Row`s. The table modules beside this one write SQL both
engines run, and ask `conn.dialect` where the engines differ. Nothing above `store` names an
engine."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Concatenate, Literal, ParamSpec, Protocol, TypeVar

T = TypeVar("T")
P = ParamSpec("P")

Dialect = Literal["sqlite", "postgresql"]


class Row(Protocol):
    """A row read: by column name or position, its column names from `keys()`."""

    def __getitem__(self, key: Any, /) -> Any: ...
    def keys(self) -> list[str]: ...
    def __iter__(self) -> Iterator[Any]: ...
    def __len__(self) -> int: ...


class Cursor(Protocol):
    @property
    def rowcount(self) -> int: ...
    @property
    def lastrowid(self) -> int | None: ...
    def fetchone(self) -> Any: ...
    def fetchall(self) -> list[Any]: ...
    def __iter__(self) -> Iterator[Any]: ...


class Connection(Protocol):
    """What a job is handed: `?` placeholders on both engines, rows as `Row`s."""

    dialect: Dialect

    def execute(self, sql: str, parameters: Any = ..., /) -> Cursor: ...
    def executemany(self, sql: str, seq_of_parameters: Iterable[Any], /) -> Cursor: ...


# A row as the stores hand it out or as a caller builds it (a dict).
RowLike = Row | Mapping[str, Any]


class StorageError(Exception):
    """The database refused a statement for a reason other than being unavailable (a bug, or a
    file that is not an irbox database): raised by a backend in place of its driver's error."""


class Database(Protocol):
    """Reads: each `read` runs in one transaction of its own (a consistent snapshot)."""

    dialect: Dialect

    def read(
        self,
        fn: Callable[Concatenate[Connection, P], T],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> T: ...

    def close(self) -> None: ...


def written(row: Row | None) -> Row:
    """A row the caller's own transaction just wrote or found: there by construction (a read
    inside the writer's transaction cannot miss it)."""
    if row is None:
        raise LookupError("a row this transaction wrote is missing")
    return row


def append(conn: Connection, table: str, columns: tuple[str, ...], values: tuple[Any, ...]) -> None:
    """Insert one row into an append-only log (audit, index outbox). On the writer's connection
    the insert waits for the end of the batch, where each log's rows go in with one statement
    (`insert_many`). Nothing reads these rows back inside a write."""
    defer = getattr(conn, "defer", None)
    if defer is None:
        insert_many(conn, table, columns, [values])
    else:
        defer(table, columns, values)


# Rows per multi-row statement: few enough that the parameters stay under SQLite's limit
# (32,766) and PostgreSQL's (65,535), and each row count is one cached statement.
ROWS_PER_STATEMENT = 500


def insert_many(
    conn: Connection, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]
) -> None:
    """Insert rows in order with one multi-row statement (per `ROWS_PER_STATEMENT`): SQLite
    makes one pass over them where executemany returns to Python, and hands the GIL over, once
    per row."""
    if conn.dialect == "postgresql":  # COPY: 500 audit rows in 2.9 ms, 24 ms as VALUES lists
        from irbox.store.postgres.copy_in import copy_rows

        copy_rows(conn, table, list(columns), rows)  # type: ignore[arg-type]
        return
    head = f"INSERT INTO {table} ({', '.join(columns)}) VALUES "
    for chunk in chunked(rows):
        conn.execute(head + values_list(len(columns), len(chunk)), flat(chunk))


def contains(conn: Connection, column: str, text: str) -> tuple[str, str]:
    """A WHERE term and its parameter: `column` holds `text`, case-insensitively for ASCII
    (SQLite's LIKE; PostgreSQL's ILIKE), with `%`, `_` and the escape taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    like = "ILIKE" if conn.dialect == "postgresql" else "LIKE"
    return f"{column} {like} ? ESCAPE '\\'", f"%{escaped}%"


def moved_to_case(conn: Connection, table: str, from_case: str, to_case: str) -> list[str]:
    """Move `table`'s rows of `from_case` to `to_case` (for the table's own module, in a
    merge); the ids moved, in the order they were made (ids are time-ordered ULIDs)."""
    rows = conn.execute(
        f"UPDATE {table} SET case_id = ? WHERE case_id = ? RETURNING id", (to_case, from_case)
    ).fetchall()
    return sorted(row[0] for row in rows)


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


# Where the engines' SQL differs, the table modules ask for the fragment (JSON is TEXT on both).


def json_field(conn: Connection, expr: str, key: str) -> str:
    """The text at `key` of the JSON object in `expr` (`key` a name or a list position)."""
    if conn.dialect == "postgresql":
        step = key if key.isdigit() else f"'{key}'"
        return f"({expr}::jsonb ->> {step})"
    return f"json_extract({expr}, '$.{key}')" if not key.isdigit() else (
        f"json_extract({expr}, '$[{key}]')"
    )  # fmt: skip


def json_elements(conn: Connection, expr: str, alias: str, *, scalars: bool = False) -> str:
    """A FROM item: one row per element of the JSON array in `expr`, its element in
    `alias.value` (as text with `scalars`, for lists of strings; else JSON, read with
    `json_field`)."""
    if conn.dialect == "postgresql":
        fn = "jsonb_array_elements_text" if scalars else "jsonb_array_elements"
        return f"{fn}({expr}::jsonb) AS {alias}(value)"
    return f"json_each({expr}) AS {alias}"


def holds_key(conn: Connection, expr: str, key: str) -> tuple[str, str]:
    """A WHERE term and its parameter: the JSON object in `expr` has a non-null `key`."""
    if conn.dialect == "postgresql":
        return f"({expr}::jsonb ->> ?) IS NOT NULL", key
    return f"json_extract({expr}, ?) IS NOT NULL", f'$."{key}"'


def greatest(conn: Connection, a: str, b: str) -> str:
    return f"greatest({a}, {b})" if conn.dialect == "postgresql" else f"max({a}, {b})"
