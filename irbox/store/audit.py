"""The `audit_log` table: every state change with actor, key, client IP and time."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox.store.database import Connection, Row, append


def record(
    conn: Connection,
    who: tuple[str | None, str | None, str | None],
    action: str,
    entity_id: str | None,
    at: int,
    data: dict[str, Any] | None = None,
) -> None:
    """`who` is (user id, API key id, client IP) of whoever made the change."""
    append(
        conn,
        "audit_log",
        ("at", "actor", "key_id", "ip", "action", "entity_id", "data"),
        (
            at,
            *who,
            action,
            entity_id,
            msgspec.json.encode(data or {}).decode(),
        ),
    )


def page(conn: Connection, before_seq: int | None, limit: int) -> list[Row]:
    where = "WHERE seq < ?" if before_seq is not None else ""
    args: tuple[Any, ...] = (before_seq,) if before_seq is not None else ()
    return conn.execute(
        "SELECT seq, at, actor, key_id, ip, action, entity_id, data FROM audit_log"
        f" {where} ORDER BY seq DESC LIMIT ?",
        (*args, limit),
    ).fetchall()
