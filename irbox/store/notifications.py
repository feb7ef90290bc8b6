"""The `notifications` table: what a user is told about (mentions, assignments)."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO notifications (id, user_id, kind, case_id, comment_id, summary, created_at)"
        " VALUES (:id, :user_id, :kind, :case_id, :comment_id, :summary, :created_at)",
        row,
    )


def page(
    conn: Connection, user_id: str, unread_only: bool, before_seq: int | None, limit: int
) -> list[Row]:
    where = ["user_id = ?"]
    args: list[Any] = [user_id]
    if unread_only:
        where.append("read_at IS NULL")
    if before_seq is not None:
        where.append("seq < ?")
        args.append(before_seq)
    return conn.execute(
        "SELECT seq, id, kind, case_id, comment_id, summary, created_at, read_at"
        f" FROM notifications WHERE {' AND '.join(where)} ORDER BY seq DESC LIMIT ?",
        (*args, limit),
    ).fetchall()


def mark_read(conn: Connection, user_id: str, ids: list[str] | None, at: int) -> int:
    """Mark some (or, with None, all) of a user's notifications read; returns how many."""
    if ids is None:
        sql, args = "", []
    elif not ids:  # (an empty IN list is an error on PostgreSQL)
        return 0
    else:
        sql, args = f" AND id IN ({','.join('?' * len(ids))})", list(ids)
    return conn.execute(
        f"UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL{sql}",
        (at, user_id, *args),
    ).rowcount


def unread_count(conn: Connection, user_id: str) -> int:
    return conn.execute(
        "SELECT count(*) FROM notifications WHERE user_id = ? AND read_at IS NULL", (user_id,)
    ).fetchone()[0]


def after(conn: Connection, seq: int, limit: int) -> list[Row]:
    """Notifications made after `seq`, oldest first, with their user's address (for mail)."""
    return conn.execute(
        "SELECT n.seq, n.id, n.user_id, n.kind, n.case_id, n.summary, u.email, u.disabled"
        " FROM notifications n JOIN users u ON u.id = n.user_id WHERE n.seq > ?"
        " ORDER BY n.seq LIMIT ?",
        (seq, limit),
    ).fetchall()


def last_seq(conn: Connection) -> int:
    return conn.execute("SELECT coalesce(max(seq), 0) FROM notifications").fetchone()[0]
