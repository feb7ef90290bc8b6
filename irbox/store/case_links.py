"""The `case_links` table: a link as seen from each of its two cases."""

from __future__ import annotations

from irbox.store.database import Connection, Row


def put(conn: Connection, case_id: str, linked_id: str, kind: str, at: int,
        by: str | None) -> None:  # fmt: skip
    conn.execute(
        "INSERT INTO case_links (case_id, linked_id, kind, created_at, created_by)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (case_id, linked_id) DO UPDATE SET"
        " kind = excluded.kind, created_at = excluded.created_at, created_by = excluded.created_by",
        (case_id, linked_id, kind, at, by),
    )


def remove(conn: Connection, case_id: str, linked_id: str) -> bool:
    return (
        conn.execute(
            "DELETE FROM case_links WHERE case_id = ? AND linked_id = ?", (case_id, linked_id)
        ).rowcount
        == 1
    )


def for_case(conn: Connection, case_id: str) -> list[Row]:
    """The case's links with the linked case's number, title and status."""
    return conn.execute(
        "SELECT l.linked_id, l.kind, c.number, c.title, c.status FROM case_links l"
        " JOIN cases c ON c.id = l.linked_id WHERE l.case_id = ? ORDER BY c.number",
        (case_id,),
    ).fetchall()
