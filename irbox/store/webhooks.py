"""The `webhooks` table."""

from __future__ import annotations

import sqlite3
from typing import Any

COLUMNS = "id, url, events, secret, active, created_at, created_by, updated_at, format"


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO webhooks ({COLUMNS}) VALUES (:id, :url, :events, :secret, :active,"
        " :created_at, :created_by, :updated_at, :format)",
        {"format": "irbox", **row},
    )


def get(conn: sqlite3.Connection, webhook_id: str) -> sqlite3.Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()


def list_all(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks ORDER BY created_at DESC").fetchall()


def active(conn: sqlite3.Connection) -> list[sqlite3.Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks WHERE active = 1").fetchall()


def update(conn: sqlite3.Connection, webhook_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE webhooks SET {sets} WHERE id = :id", {**changes, "id": webhook_id})


def delete(conn: sqlite3.Connection, webhook_id: str) -> None:
    conn.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
    conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
