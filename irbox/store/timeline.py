"""The `case_timeline` table: every event of a case, in the order it happened."""

from __future__ import annotations

from irbox.store.database import Connection, Row, json_field


def insert(
    conn: Connection,
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


def for_case(conn: Connection, case_id: str) -> list[Row]:
    # Ordered by when it happened; analysts' own entries may be back-dated.
    return conn.execute(
        "SELECT at, type, actor, summary, data FROM case_timeline WHERE case_id = ?"
        " ORDER BY at, seq",
        (case_id,),
    ).fetchall()


def erase_comment_text(conn: Connection, case_id: str, comment_id: str) -> None:
    """Drop the text a comment's edits replaced (`previous_body`) from its events."""
    removed = (
        "(data::jsonb - 'previous_body')::text"
        if conn.dialect == "postgresql"
        else "json_remove(data, '$.previous_body')"
    )
    conn.execute(
        f"UPDATE case_timeline SET data = {removed} WHERE case_id = ?"
        f" AND type = 'comment_edited' AND {json_field(conn, 'data', 'comment_id')} = ?",
        (case_id, comment_id),
    )
