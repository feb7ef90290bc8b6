"""The `cases` table."""

from __future__ import annotations

import json
from typing import Any

from irbox.store import counters
from irbox.store.database import Connection, Row, contains, holds_key

COLUMNS = (
    "seq, id, number, title, description, severity, status, assignee, tags, attack, created_at,"
    " created_by, updated_at, resolution, resolved_at, tlp, pap, custom_fields, merged_into"
)


def next_number(conn: Connection) -> int:
    """The next case number, from a counter row (not max + 1): concurrent writers take turns
    on it and never hand out one number twice."""
    return counters.next_value(conn, counters.CASE_NUMBER)


def insert(conn: Connection, row: dict[str, Any]) -> int:
    """Returns the new case's seq."""
    return conn.execute(
        "INSERT INTO cases (id, number, title, description, severity, status, assignee, tags,"
        " attack, created_at, created_by, updated_at, tlp, pap, custom_fields) VALUES (:id,"
        " :number, :title, :description, :severity, :status, :assignee, :tags, :attack,"
        " :created_at, :created_by, :updated_at, :tlp, :pap, :custom_fields) RETURNING seq",
        {"tlp": "amber", "pap": "amber", "custom_fields": "{}", **row},
    ).fetchone()[0]


def get(conn: Connection, case_id: str) -> Row | None:
    return conn.execute(f"SELECT {COLUMNS} FROM cases WHERE id = ?", (case_id,)).fetchone()


def update(conn: Connection, case_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(f"UPDATE cases SET {sets} WHERE id = :id", {**changes, "id": case_id})


def unresolved_assigned_to(conn: Connection, user_id: str) -> list[str]:
    """Ids of the open or in-progress cases assigned to this user."""
    rows = conn.execute(
        "SELECT id FROM cases WHERE assignee = ? AND status IN ('open', 'in_progress')"
        " ORDER BY seq",
        (user_id,),
    ).fetchall()
    return [row[0] for row in rows]


def page(
    conn: Connection,
    *,
    statuses: list[str],
    severities: list[str],
    assignee: str | None,
    before_seq: int | None,
    limit: int,
    title_contains: str | None = None,
    custom_fields: dict[str, Any] | None = None,
) -> list[Row]:
    """`custom_fields`: values the cases must hold, by field key."""
    where: list[str] = []
    args: list[Any] = []
    for key, value in (custom_fields or {}).items():
        if conn.dialect == "postgresql":
            where.append("custom_fields::jsonb -> ? = ?::jsonb")
            args.extend((key, json.dumps(value)))
        else:
            where.append("json_extract(custom_fields, ?) = ?")  # a JSON true reads as 1
            args.extend((f'$."{key}"', int(value) if isinstance(value, bool) else value))
    if title_contains:
        term, arg = contains(conn, "title", title_contains)
        where.append(term)
        args.append(arg)
    for column, values in (("status", statuses), ("severity", severities)):
        if values:
            where.append(f"{column} IN ({','.join('?' * len(values))})")
            args.extend(values)
    if assignee == "":
        where.append("assignee IS NULL")
    elif assignee is not None:
        where.append("assignee = ?")
        args.append(assignee)
    if before_seq is not None:
        where.append("seq < ?")
        args.append(before_seq)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return conn.execute(
        f"SELECT {COLUMNS} FROM cases {clause} ORDER BY seq DESC LIMIT ?", (*args, limit)
    ).fetchall()


def summaries(conn: Connection, ids: list[str]) -> dict[str, Row]:
    if not ids:
        return {}
    rows = conn.execute(
        "SELECT id, number, title, severity, status FROM cases"
        f" WHERE id IN ({','.join('?' * len(ids))})",
        ids,
    ).fetchall()
    return {r["id"]: r for r in rows}


def unresolved_by_severity(conn: Connection) -> dict[str, int]:
    """How many cases are open or in progress, per severity (for /metrics)."""
    rows = conn.execute(
        "SELECT severity, COUNT(*) FROM cases WHERE status IN ('open', 'in_progress')"
        " GROUP BY severity"
    ).fetchall()
    return {severity: count for severity, count in rows}


def count_by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT status, COUNT(*) FROM cases GROUP BY status").fetchall()
    return {status: count for status, count in rows}


def unresolved_by_assignee(conn: Connection) -> dict[str | None, int]:
    """Cases open or in progress per assignee (None: nobody)."""
    rows = conn.execute(
        "SELECT assignee, COUNT(*) FROM cases WHERE status IN ('open', 'in_progress')"
        " GROUP BY assignee"
    ).fetchall()
    return {assignee: count for assignee, count in rows}


def overdue(conn: Connection, severity: str, opened_before: int) -> list[Row]:
    """Unresolved cases of `severity` opened before then whose breach was not yet recorded."""
    return conn.execute(
        "SELECT id, number, title, assignee, created_at FROM cases"
        " WHERE status IN ('open', 'in_progress') AND sla_breached_at IS NULL"
        " AND severity = ? AND created_at < ?",
        (severity, opened_before),
    ).fetchall()


def count_breached_open(conn: Connection) -> int:
    return conn.execute(
        "SELECT count(*) FROM cases"
        " WHERE status IN ('open', 'in_progress') AND sla_breached_at IS NOT NULL"
    ).fetchone()[0]


def id_of_number(conn: Connection, number: int) -> str | None:
    row = conn.execute("SELECT id FROM cases WHERE number = ?", (number,)).fetchone()
    return row[0] if row else None


def count_with_custom_field(conn: Connection, key: str) -> int:
    """How many cases hold a value for this custom field."""
    term, arg = holds_key(conn, "custom_fields", key)
    return conn.execute(f"SELECT count(*) FROM cases WHERE {term}", (arg,)).fetchone()[0]
