"""The `case_tasks` table: each case's checklist."""

from __future__ import annotations

from typing import Any

from irbox.store.database import Connection, Row, moved_to_case

COLUMNS = (
    "id, case_id, title, description, assignee, due_at, required, status, created_at,"
    " created_by, updated_at"
)


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        f"INSERT INTO case_tasks ({COLUMNS}) VALUES (:id, :case_id, :title, :description,"
        " :assignee, :due_at, :required, :status, :created_at, :created_by, :updated_at)",
        row,
    )


def get(conn: Connection, case_id: str, task_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM case_tasks WHERE case_id = ? AND id = ?", (case_id, task_id)
    ).fetchone()


def for_case(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        f"SELECT {COLUMNS} FROM case_tasks WHERE case_id = ? ORDER BY seq", (case_id,)
    ).fetchall()


def update(conn: Connection, task_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE case_tasks SET {sets} WHERE id = :id", {**changes, "id": task_id})


def delete(conn: Connection, task_id: str) -> None:
    conn.execute("DELETE FROM case_tasks WHERE id = ?", (task_id,))


def open_required(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        "SELECT id, title FROM case_tasks WHERE case_id = ? AND required = 1"
        " AND status = 'open' ORDER BY seq",
        (case_id,),
    ).fetchall()


def move_to_case(conn: Connection, from_case: str, to_case: str) -> list[str]:
    """Every row of `from_case` now of `to_case` (a merge); the ids moved, in their order."""
    return moved_to_case(conn, "case_tasks", from_case, to_case)
