"""The `case_templates` table; lists, tasks, values and rules are JSON columns."""

from __future__ import annotations

import sqlite3
from typing import Any

COLUMNS = (
    "id, name, title, severity, tags, description, tlp, tasks, custom_fields, rules,"
    " created_at, updated_at"
)


def all_templates(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    """By name: the order rules are tried in."""
    return conn.execute(f"SELECT {COLUMNS} FROM case_templates ORDER BY name").fetchall()


def get(conn: sqlite3.Connection, template_id: str) -> sqlite3.Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM case_templates WHERE id = ?", (template_id,)
    ).fetchone()


def by_name(conn: sqlite3.Connection, name: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM case_templates WHERE name = ?", (name,)).fetchone()


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO case_templates ({COLUMNS}) VALUES (:id, :name, :title, :severity, :tags,"
        " :description, :tlp, :tasks, :custom_fields, :rules, :created_at, :updated_at)",
        row,
    )


def update(conn: sqlite3.Connection, template_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE case_templates SET {sets} WHERE id = :id", {**changes, "id": template_id})


def delete(conn: sqlite3.Connection, template_id: str) -> None:
    conn.execute("DELETE FROM case_templates WHERE id = ?", (template_id,))


def count_with_custom_field(conn: sqlite3.Connection, key: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM case_templates WHERE json_extract(custom_fields, ?) IS NOT NULL",
        (f'$."{key}"',),
    ).fetchone()[0]
