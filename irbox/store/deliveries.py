"""The `webhook_deliveries` table: every delivery, its attempts and its outcome."""

from __future__ import annotations

from typing import Any

from irbox.store import claims
from irbox.store.database import Connection, Row

COLUMNS = (
    "seq, id, webhook_id, event, case_id, payload, status, attempts, created_at, retry_from,"
    " next_attempt_at, last_attempt_at, last_status_code, last_error, delivered_at"
)


def insert(conn: Connection, row: dict[str, Any]) -> None:
    conn.execute(
        "INSERT INTO webhook_deliveries (id, webhook_id, event, case_id, payload, status,"
        " attempts, created_at, retry_from, next_attempt_at) VALUES (:id, :webhook_id, :event,"
        " :case_id, :payload, 'pending', 0, :created_at, :created_at, :created_at)",
        row,
    )


def get(conn: Connection, delivery_id: str) -> Row | None:
    return conn.execute(
        f"SELECT {COLUMNS} FROM webhook_deliveries WHERE id = ?", (delivery_id,)
    ).fetchone()


def due(conn: Connection, now: int, limit: int) -> list[Row]:
    return conn.execute(
        "SELECT d.seq, d.id, d.webhook_id, d.event, d.payload, d.attempts, d.created_at,"
        " d.retry_from, w.url, w.secret FROM webhook_deliveries d"
        " JOIN webhooks w ON w.id = d.webhook_id"
        " WHERE d.status = 'pending' AND d.next_attempt_at <= ? ORDER BY d.next_attempt_at"
        " LIMIT ?",
        (now, limit),
    ).fetchall()


def claim(conn: Connection, ids: list[str], now: int, until: int, node: str) -> set[str]:
    return claims.claim(conn, "webhook_deliveries", ids, now, until, node)


def release(conn: Connection, node: str, now: int) -> int:
    return claims.release(conn, "webhook_deliveries", node, now)


def record_attempt(conn: Connection, delivery_id: str, changes: dict[str, Any]) -> None:
    sets = ", ".join(f"{column} = :{column}" for column in changes)
    conn.execute(
        f"UPDATE webhook_deliveries SET {sets}, attempts = attempts + 1, claimed_by = NULL"
        " WHERE id = :id",
        {**changes, "id": delivery_id},
    )


def reset(conn: Connection, delivery_id: str, now: int) -> None:
    conn.execute(
        "UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = ?, retry_from = ?,"
        " attempts = 0, last_error = NULL, last_status_code = NULL, delivered_at = NULL,"
        " claimed_by = NULL"
        " WHERE id = ?",
        (now, now, delivery_id),
    )


def page(conn: Connection, webhook_id: str, before_seq: int | None, limit: int) -> list[Row]:
    where = "webhook_id = ?"
    args: list[str | int] = [webhook_id]
    if before_seq is not None:
        where += " AND seq < ?"
        args.append(before_seq)
    return conn.execute(
        f"SELECT {COLUMNS} FROM webhook_deliveries WHERE {where} ORDER BY seq DESC LIMIT ?",
        (*args, limit),
    ).fetchall()


def pending_count(conn: Connection) -> int:
    """Deliveries still to be made or retried (for /metrics; the status index answers it)."""
    return int(
        conn.execute("SELECT COUNT(*) FROM webhook_deliveries WHERE status = 'pending'").fetchone()[
            0
        ]
    )
