"""The `case_timeline` table: every event of a case, in the order it happened."""

from __future__ import annotations

import sqlite3


def insert(
    conn: sqlite3.Connection,
    case_id: str,
    at: int,
    kind: str,
    actor: str | None,
    summary: str,
    data: str,
) -> None:
    conn.execute(
        "INSERT INTO case_timeline (case_id, at, type, actor, summary, data)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (case_id, at, kind, actor, summary, data),
    )


def for_case(conn: sqlite3.Connection, case_id: str) -> list[sqlite3.Row]:
    # Ordered by when it happened; analysts' own entries may be back-dated.
    return conn.execute(
        "SELECT at, type, actor, summary, data FROM case_timeline WHERE case_id = ?"
        " ORDER BY at, seq",
        (case_id,),
    ).fetchall()


def erase_comment_text(conn: sqlite3.Connection, case_id: str, comment_id: str) -> None:
    """Drop the text a comment's edits replaced (`previous_body`) from its events."""
    conn.execute(
        "UPDATE case_timeline SET data = json_remove(data, '$.previous_body')"
        " WHERE case_id = ? AND type = 'comment_edited' AND json_extract(data, '$.comment_id') = ?",
        (case_id, comment_id),
    )
