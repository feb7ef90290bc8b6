"""The `saved_views` table: each user's named queue filters, in the order saved."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row


def of_user(conn: Connection, user_id: str) -> list[Row]:
    return conn.execute(
        "SELECT id, name, filters, created_at FROM saved_views WHERE user_id = ? ORDER BY seq",
        (user_id,),
    ).fetchall()


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO saved_views (id, user_id, name, filters, created_at)"
        " VALUES (:id, :user_id, :name, :filters, :created_at)",
        row,
    )


def named(conn: Connection, user_id: str, name: str) -> Row | None:
    return conn.execute(
        "SELECT id FROM saved_views WHERE user_id = ? AND name = ?", (user_id, name)
    ).fetchone()


def delete(conn: Connection, user_id: str, view_id: str) -> Row | None:
    """The view deleted, None when the user has no such view."""
    return conn.execute(
        "DELETE FROM saved_views WHERE user_id = ? AND id = ? RETURNING id, name, filters,"
        " created_at",
        (user_id, view_id),
    ).fetchone()
