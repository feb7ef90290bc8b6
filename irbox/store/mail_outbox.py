"""The `mail_outbox` table: one row per message, sent by the mail sender, retried until sent
or out of time."""

from __future__ import annotations

from typing import Any

from irbox.store import claims
from irbox.store.database import Connection, Row


def insert(conn: Connection, row: dict[str, Any]) -> bool:
    """Queue a message unless one about the same thing went to the same user; whether queued."""
    return (
        conn.execute(
            "INSERT INTO mail_outbox (id, about, user_id, to_address, subject, text_body,"
            " html_body, next_attempt_at, created_at) VALUES (:id, :about, :user_id,"
            " :to_address, :subject, :text_body, :html_body, :next_attempt_at, :created_at)"
            " ON CONFLICT (about, user_id) DO NOTHING",
            row,
        ).rowcount
        == 1
    )


def due(conn: Connection, now: int, limit: int) -> list[Row]:
    return conn.execute(
        "SELECT seq, id, to_address, subject, text_body, html_body, attempts, created_at"
        " FROM mail_outbox WHERE status = 'pending' AND next_attempt_at <= ?"
        " ORDER BY next_attempt_at LIMIT ?",
        (now, limit),
    ).fetchall()


def claim(conn: Connection, ids: list[str], now: int, until: int, node: str) -> set[str]:
    return claims.claim(conn, "mail_outbox", ids, now, until, node)


def release(conn: Connection, node: str, now: int, ids: list[str] | None = None) -> int:
    return claims.release(conn, "mail_outbox", node, now, ids)


def record(conn: Connection, mail_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(
        f"UPDATE mail_outbox SET {sets}, claimed_by = NULL WHERE id = :id",
        {**changes, "id": mail_id},
    )


def get(conn: Connection, mail_id: str) -> Row | None:
    return conn.execute(
        "SELECT id, about, to_address, subject, status, attempts, last_error, sent_at"
        " FROM mail_outbox WHERE id = ?",
        (mail_id,),
    ).fetchone()
