"""The `case_templates` table; lists, tasks, values and rules are JSON columns."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row, holds_key

COLUMNS = (
    "id, name, title, severity, tags, description, tlp, tasks, custom_fields, rules,"
    " created_at, updated_at"
)


def all_templates(conn: Connection) -> list[Row]:
    """By name: the order rules are tried in."""
    return conn.execute(f"SELECT {COLUMNS} FROM case_templates ORDER BY name").fetchall()


def get(conn: Connection, template_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM case_templates WHERE id = ?", (template_id,)
    ).fetchone()


def by_name(conn: Connection, name: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM case_templates WHERE name = ?", (name,)).fetchone()


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO case_templates ({COLUMNS}) VALUES (:id, :name, :title, :severity, :tags,"
        " :description, :tlp, :tasks, :custom_fields, :rules, :created_at, :updated_at)",
        row,
    )


def update(conn: Connection, template_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE case_templates SET {sets} WHERE id = :id", {**changes, "id": template_id})


def delete(conn: Connection, template_id: str) -> None:
    conn.execute("DELETE FROM case_templates WHERE id = ?", (template_id,))


def count_with_custom_field(conn: Connection, key: str) -> int:
    term, arg = holds_key(conn, "custom_fields", key)
    return conn.execute(f"SELECT count(*) FROM case_templates WHERE {term}", (arg,)).fetchone()[0]
