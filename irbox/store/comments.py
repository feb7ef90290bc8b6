"""The `comments` table. The sanitised HTML is stored beside the markdown it came from."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row, moved_to_case


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO comments (id, case_id, author, body, body_html, mentions, created_at)"
        " VALUES (:id, :case_id, :author, :body, :body_html, :mentions, :created_at)",
        row,
    )


_COLUMNS = "id, author, body, body_html, mentions, created_at, edited_at"


def for_case(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM comments WHERE case_id = ? ORDER BY seq", (case_id,)
    ).fetchall()


def get(conn: Connection, case_id: str, comment_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {_COLUMNS} FROM comments WHERE id = ? AND case_id = ?", (comment_id, case_id)
    ).fetchone()


def update(conn: Connection, comment_id: str, changes: dict[str, Any]) -> None:
    """`changes`: some of body, body_html, mentions, edited_at."""
    assignments = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE comments SET {assignments} WHERE id = :id", {**changes, "id": comment_id})


def delete(conn: Connection, comment_id: str) -> None:
    conn.execute("DELETE FROM comments WHERE id = ?", (comment_id,))


def move_to_case(conn: Connection, from_case: str, to_case: str) -> list[str]:
    """Every row of `from_case` now of `to_case` (a merge); the ids moved, in their order."""
    return moved_to_case(conn, "comments", from_case, to_case)
