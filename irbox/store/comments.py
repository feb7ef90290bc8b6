"""The `comments` table. The sanitised HTML is stored beside the markdown it came from."""

from __future__ import annotations

import sqlite3
from typing import Any


def insert(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO comments (id, case_id, author, body, body_html, mentions, created_at)"
        " VALUES (:id, :case_id, :author, :body, :body_html, :mentions, :created_at)",
        row,
    )


def for_case(conn: sqlite3.Connection, case_id: str) -> list[sqlite3.Row]:
    return conn.execute(
        "SELECT id, author, body, body_html, mentions, created_at FROM comments"
        " WHERE case_id = ? ORDER BY seq",
        (case_id,),
    ).fetchall()
