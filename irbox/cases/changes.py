"""Every change to a case goes through `record`: the timeline event, the audit entry and the
case's `updated_at`, all in the caller's transaction, so none exists without the others."""

from __future__ import annotations

import sqlite3
from typing import Any

import msgspec

from irbox.errors import InvalidState, NotFound
from irbox.identity.principal import Actor
from irbox.store import audit, timeline
from irbox.store import cases as cases_table
from irbox.webhooks.outbox import enqueue

_encode = msgspec.json.Encoder().encode


def record(
    conn: sqlite3.Connection,
    case_id: str,
    kind: str,
    actor: Actor,
    at: int,
    summary: str,
    data: dict[str, Any] | None = None,
) -> None:
    data = data or {}
    timeline.insert(conn, case_id, at, kind, actor.user_id, summary, _encode(data).decode())
    audit.record(conn, actor.who, f"case.{kind}", case_id, at, data)
    cases_table.update(conn, case_id, {"updated_at": at})


def field_changed(
    conn: sqlite3.Connection,
    case_id: str,
    field: str,
    before: Any,
    after: Any,
    actor: Actor,
    at: int,
    **more: Any,
) -> None:
    """The timeline event of one field's change (`status_changed` for the status)."""
    kind = "status_changed" if field == "status" else "field_changed"
    data = {"field": field, "from": before, "to": after, **more}
    record(conn, case_id, kind, actor, at, f"{field} changed", data)


def announce(
    conn: sqlite3.Connection,
    case_id: str,
    event: str,
    actor: Actor,
    at: int,
    verdict: str | None = None,
) -> None:
    """Queue the webhook event (`case.created`, …) in the same transaction as the change."""
    enqueue(conn, event, case_id, actor, at, verdict=verdict)


def existing(conn: sqlite3.Connection, case_id: str) -> sqlite3.Row:
    row = cases_table.get(conn, case_id)
    if row is None:
        raise NotFound(f"no case {case_id}")
    return row


def open_case(conn: sqlite3.Connection, case_id: str) -> sqlite3.Row:
    """The case, which must not be resolved (reopen it first)."""
    row = existing(conn, case_id)
    if row["status"] == "resolved":
        raise InvalidState("the case is resolved; reopen it first")
    return row
