"""The `suppressions` table."""

from __future__ import annotations

import json
from typing import Any

from irbox.store.database import Connection, Row, json_elements, json_field

COLUMNS = "seq, id, type, value, scope, until, reason, created_by, created_at, lifted_at, lifted_by"


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO suppressions (id, type, value, scope, until, reason, created_by, created_at)"
        " VALUES (:id, :type, :value, :scope, :until, :reason, :created_by, :created_at)",
        row,
    )


def get(conn: Connection, suppression_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM suppressions WHERE id = ?", (suppression_id,)
    ).fetchone()


def lift(conn: Connection, suppression_id: str, by: str | None, at: int) -> None:
    conn.execute(
        "UPDATE suppressions SET lifted_at = ?, lifted_by = ? WHERE id = ? AND lifted_at IS NULL",
        (at, by, suppression_id),
    )


def active_for(
    conn: Connection, pairs: list[tuple[str, str]], scopes: tuple[str, ...], now: int
) -> list[Row]:
    """Active suppressions of these (type, value) pairs whose scope is one of `scopes`."""
    if not pairs:
        return []
    scope_sql = ",".join("?" * len(scopes))
    # The pairs travel as one JSON parameter: an alert may carry 1,000 observables.
    return conn.execute(
        f"SELECT {', '.join('s.' + c.strip() for c in COLUMNS.split(','))} FROM suppressions s"
        f" JOIN {json_elements(conn, '?', 'p')} ON s.type = {json_field(conn, 'p.value', '0')}"
        f" AND s.value = {json_field(conn, 'p.value', '1')}"
        f" WHERE s.scope IN ({scope_sql}) AND s.lifted_at IS NULL"
        " AND (s.until IS NULL OR s.until > ?)",
        (json.dumps(pairs), *scopes, now),
    ).fetchall()


def active_of(conn: Connection, kind: str, value: str, now: int) -> list[Row]:
    """Every active suppression of one observable, whatever its scope."""
    return conn.execute(
        f"SELECT {COLUMNS} FROM suppressions WHERE type = ? AND value = ? AND lifted_at IS NULL"
        " AND (until IS NULL OR until > ?) ORDER BY seq",
        (kind, value, now),
    ).fetchall()


def page(
    conn: Connection, active_only: bool, now: int, before_seq: int | None, limit: int
) -> list[Row]:
    where, args = [], []
    if active_only:
        where.append("lifted_at IS NULL AND (until IS NULL OR until > ?)")
        args.append(now)
    if before_seq is not None:
        where.append("seq < ?")
        args.append(before_seq)
    clause = f"WHERE {' AND '.join(where)}" if where else ""
    return conn.execute(
        f"SELECT {COLUMNS} FROM suppressions {clause} ORDER BY seq DESC LIMIT ?", (*args, limit)
    ).fetchall()


def any_unlifted(conn: Connection) -> bool:
    return (
        conn.execute("SELECT 1 FROM suppressions WHERE lifted_at IS NULL LIMIT 1").fetchone()
        is not None
    )
