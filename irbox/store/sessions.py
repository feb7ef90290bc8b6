"""The `sessions` table."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO sessions (id, user_id, csrf, created_at, expires_at, mfa_pending)"
        " VALUES (:id, :user_id, :csrf, :created_at, :expires_at, :mfa_pending)",
        row,
    )


def get_with_user(conn: Connection, session_hash: str) -> Row | None:
    return conn.execute(
        "SELECT s.id, s.user_id, s.csrf, s.expires_at, u.email, u.name, u.role, u.disabled,"
        " u.must_change_password, u.theme, s.mfa_pending, u.mfa_enabled_at"
        " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id = ?",
        (session_hash,),
    ).fetchone()


def delete(conn: Connection, session_hash: str) -> None:
    conn.execute("DELETE FROM sessions WHERE id = ?", (session_hash,))


def purge(conn: Connection, now: int) -> int:
    return conn.execute("DELETE FROM sessions WHERE expires_at <= ?", (now,)).rowcount


def delete_for_user(conn: Connection, user_id: str) -> int:
    return conn.execute("DELETE FROM sessions WHERE user_id = ?", (user_id,)).rowcount
