"""The SQLite file's tables as data, for copying an appliance to another engine
(`irbox migrate --to`): which tables, in an order that inserts every row after the rows it
refers to, their columns, and where each `seq` counter stands."""

from __future__ import annotations

from irbox.store.database import Connection

# SQLite's own tables and the FTS5 text index (rebuilt from the alerts by the other engine);
# the schema's bookkeeping is the other engine's own.
_NOT_COPIED = ("sqlite_", "alerts_text", "schema_migrations")


def in_order(conn: Connection) -> list[str]:
    """The tables to copy, each after the tables its foreign keys refer to."""
    names = sorted(
        row[0]
        for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not row[0].startswith(_NOT_COPIED)
    )
    ordered: list[str] = []

    def visit(table: str) -> None:
        if table in ordered:
            return
        for row in conn.execute(f"PRAGMA foreign_key_list('{table}')").fetchall():
            if row["table"] != table:
                visit(row["table"])
        ordered.append(table)

    for name in names:
        visit(name)
    return ordered


def columns(conn: Connection, table: str) -> list[str]:
    return [row["name"] for row in conn.execute(f"PRAGMA table_info('{table}')").fetchall()]


def counter(conn: Connection, table: str) -> int:
    """Where the table's `seq` stands: the highest ever handed out (AUTOINCREMENT's record,
    which outlives deleted rows), else the highest stored; 0 for a table without `seq`."""
    if "seq" not in columns(conn, table):
        return 0
    row = conn.execute("SELECT seq FROM sqlite_sequence WHERE name = ?", (table,)).fetchone()
    highest = conn.execute(f"SELECT coalesce(max(seq), 0) FROM {table}").fetchone()[0]
    return max(row[0] if row else 0, highest)
