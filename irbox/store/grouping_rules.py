"""The `grouping_rules` table."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

COLUMNS = "id, source, by, observable_types, window_m, active, created_at, updated_at"


def all_rules(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM grouping_rules ORDER BY seq").fetchall()


def active_for(conn: Connection, sources: list[str]) -> list[Row]:
    """The active rules of these sources, oldest first."""
    if not sources:
        return []
    marks = ",".join("?" * len(sources))
    return conn.execute(
        f"SELECT {COLUMNS} FROM grouping_rules WHERE active = 1 AND source IN ({marks})"
        " ORDER BY seq",
        sources,
    ).fetchall()


def get(conn: Connection, rule_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM grouping_rules WHERE id = ?", (rule_id,)).fetchone()


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO grouping_rules ({COLUMNS}) VALUES (:id, :source, :by, :observable_types,"
        " :window_m, :active, :created_at, :updated_at)",
        row,
    )


def update(conn: Connection, rule_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE grouping_rules SET {sets} WHERE id = :id", {**changes, "id": rule_id})


def delete(conn: Connection, rule_id: str) -> None:
    conn.execute("DELETE FROM grouping_rules WHERE id = ?", (rule_id,))
