"""The `custom_fields` table: the fields admins define for cases, in the order defined."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

COLUMNS = "key, label, type, choices, required, created_at, updated_at"


def all_fields(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM custom_fields ORDER BY seq").fetchall()


def get(conn: Connection, key: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM custom_fields WHERE key = ?", (key,)).fetchone()


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO custom_fields ({COLUMNS}) VALUES (:key, :label, :type, :choices,"
        " :required, :created_at, :updated_at)",
        row,
    )


def update(conn: Connection, key: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE custom_fields SET {sets} WHERE key = :key", {**changes, "key": key})


def delete(conn: Connection, key: str) -> None:
    conn.execute("DELETE FROM custom_fields WHERE key = ?", (key,))
