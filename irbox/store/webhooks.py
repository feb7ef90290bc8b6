"""The `webhooks` table."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row

COLUMNS = "id, url, events, secret, active, created_at, created_by, updated_at, format"


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO webhooks ({COLUMNS}) VALUES (:id, :url, :events, :secret, :active,"
        " :created_at, :created_by, :updated_at, :format)",
        {"format": "irbox", **row},
    )


def get(conn: Connection, webhook_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks WHERE id = ?", (webhook_id,)).fetchone()


def list_all(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks ORDER BY created_at DESC").fetchall()


def active(conn: Connection) -> list[Row]:
    return conn.execute(f"SELECT {COLUMNS} FROM webhooks WHERE active = 1").fetchall()


def update(conn: Connection, webhook_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE webhooks SET {sets} WHERE id = :id", {**changes, "id": webhook_id})


def delete(conn: Connection, webhook_id: str) -> None:
    conn.execute("DELETE FROM webhook_deliveries WHERE webhook_id = ?", (webhook_id,))
    conn.execute("DELETE FROM webhooks WHERE id = ?", (webhook_id,))
