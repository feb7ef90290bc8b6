"""The `attachments` table: evidence metadata; the bytes live in attachments/ by SHA-256."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row, moved_to_case

COLUMNS = "id, case_id, filename, size, sha256, content_type, description, uploaded_by, uploaded_at"


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO attachments ({COLUMNS}) VALUES (:id, :case_id, :filename, :size, :sha256,"
        " :content_type, :description, :uploaded_by, :uploaded_at)",
        row,
    )


def get(conn: Connection, case_id: str, attachment_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM attachments WHERE case_id = ? AND id = ?", (case_id, attachment_id)
    ).fetchone()


def for_case(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        f"SELECT {COLUMNS} FROM attachments WHERE case_id = ? ORDER BY uploaded_at", (case_id,)
    ).fetchall()


def delete(conn: Connection, attachment_id: str) -> None:
    conn.execute("DELETE FROM attachments WHERE id = ?", (attachment_id,))


def count_with_hash(conn: Connection, sha256: str) -> int:
    """How many attachments (of any case) hold these bytes."""
    row = conn.execute("SELECT count(*) FROM attachments WHERE sha256 = ?", (sha256,)).fetchone()
    return row[0]


def all_hashes(conn: Connection) -> list[tuple[str, int]]:
    return conn.execute("SELECT DISTINCT sha256, size FROM attachments").fetchall()


def move_to_case(conn: Connection, from_case: str, to_case: str) -> list[str]:
    """Every row of `from_case` now of `to_case` (a merge); the ids moved, in their order."""
    return moved_to_case(conn, "attachments", from_case, to_case)
