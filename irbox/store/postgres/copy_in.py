"""Rows into an empty irbox database on PostgreSQL, for `irbox migrate --to`: COPY per table
with the ids and `seq` values they had, the identity counters set past them, the text index
built from the alerts."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from irbox.store.postgres.connection import PgConnection


def tables(conn: PgConnection) -> list[str]:
    return [
        row[0]
        for row in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()"
        ).fetchall()
    ]


# Rows the migrations themselves write: the schema's bookkeeping and the counters' first values.
_SEEDED = ("schema_migrations", "counters")


def holds_rows(conn: PgConnection) -> list[str]:
    """The tables that hold a row the migrations did not write."""
    return [
        table
        for table in tables(conn)
        if table not in _SEEDED
        and conn.execute(f"SELECT EXISTS (SELECT 1 FROM {table})").fetchone()[0]
    ]


def clear_seeded(conn: PgConnection, table: str) -> None:
    """Make room for the copied rows of a table the migrations wrote rows into."""
    if table in _SEEDED:
        conn.execute(f"DELETE FROM {table}")


def copy_rows(
    conn: PgConnection, table: str, columns: list[str], rows: Iterable[tuple[Any, ...]]
) -> int:
    count = 0
    with (
        conn.raw.cursor() as cur,
        cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def set_counter(conn: PgConnection, table: str, value: int) -> None:
    """The table's `seq` identity continues after `value`."""
    if value > 0:
        conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'seq'), {int(value)})")


def fill_text_index(conn: PgConnection, words: str) -> None:
    """`words`: the alerts' tsvector expression (`store.alerts`)."""
    conn.execute(f"INSERT INTO alerts_text (seq, words) SELECT seq, {words} FROM alerts")
