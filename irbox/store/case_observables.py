"""The `case_observables` table: each (type, value) once per case."""

from __future__ import annotations

import sqlite3


def add(
    conn: sqlite3.Connection, case_id: str, kind: str, value: str, at: int, by: str | None
) -> bool:
    """Add unless present; True when it was new."""
    cur = conn.execute(
        "INSERT OR IGNORE INTO case_observables (case_id, type, value, first_seen, added_by)"
        " VALUES (?, ?, ?, ?, ?)",
        (case_id, kind, value, at, by),
    )
    return cur.rowcount == 1


def for_case(conn: sqlite3.Connection, case_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT type, value, first_seen, added_by FROM case_observables WHERE case_id = ?"
        " ORDER BY first_seen, rowid",
        (case_id,),
    ).fetchall()


def count_by_type(conn: sqlite3.Connection) -> dict[str, int]:
    rows = conn.execute("SELECT type, count(*) FROM case_observables GROUP BY type")
    return {kind: n for kind, n in rows}
