"""Every change to a case goes through `record`: the timeline event, the audit entry and the
case's `updated_at`, all in the caller's transaction, so none exists without the others."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox.errors import InvalidState, NotFound
from irbox.identity.principal import Actor
from irbox.store import audit, timeline
from irbox.store import cases as cases_table
from irbox.store import users as users_table
from irbox.store.database import Connection, Row
from irbox.webhooks.outbox import enqueue

_encode = msgspec.json.Encoder().encode


def record(
    conn: Connection,
    case_id: str,
    kind: str,
    actor: Actor,
    at: int,
    summary: str,
    data: dict[str, Any] | None = None,
    audit_data: dict[str, Any] | None = None,
) -> None:
    """`audit_data`: what the audit entry records when it is not all of `data` (a comment's
    words stay in the case's timeline, where deleting the comment can erase them)."""
    data = data or {}
    timeline.insert(conn, case_id, at, kind, actor.user_id, summary, _encode(data).decode())
    audit.record(
        conn, actor.who, f"case.{kind}", case_id, at, data if audit_data is None else audit_data
    )
    cases_table.update(conn, case_id, {"updated_at": at})


def field_changed(
    conn: Connection,
    case_id: str,
    field: str,
    before: Any,
    after: Any,
    actor: Actor,
    at: int,
    label: str | None = None,
    **more: Any,
) -> None:
    """The timeline event of one field's change (`status_changed` for the status), its summary
    saying what changed: `severity: medium → high`, `assignee: Ann Lee → none (user disabled)`;
    `label` names the field there instead of its key (a custom field)."""
    kind = "status_changed" if field == "status" else "field_changed"
    data = {"field": field, "from": before, "to": after, **more}
    if field == "description":  # markdown paragraphs: the summary only says it changed
        summary = "description changed"
    else:
        shown = (_shown(conn, field, before), _shown(conn, field, after))
        summary = f"{label or field}: {shown[0]} → {shown[1]}"
    if more.get("reason"):
        summary += f" ({more['reason']})"
    record(conn, case_id, kind, actor, at, summary, data)


_SHOWN_CHARS = 80


def _shown(conn: Connection, field: str, value: Any) -> str:
    """A field's value as a timeline summary shows it (people by name, lists joined)."""
    if field == "assignee" and value:
        user = users_table.get(conn, value)
        value = (user["name"] or user["email"]) if user else value
    if isinstance(value, list):
        value = ", ".join(str(item) for item in value)
    text = str(value) if value not in (None, "") else "none"
    return text if len(text) <= _SHOWN_CHARS else text[: _SHOWN_CHARS - 1] + "…"


def announce(
    conn: Connection,
    case_id: str,
    event: str,
    actor: Actor,
    at: int,
    verdict: str | None = None,
    merged_into: str | None = None,
) -> None:
    """Queue the webhook event (`case.created`, …) in the same transaction as the change."""
    enqueue(conn, event, case_id, actor, at, verdict=verdict, merged_into=merged_into)


def existing(conn: Connection, case_id: str) -> Row:
    row = cases_table.get(conn, case_id)
    if row is None:
        raise NotFound(f"no case {case_id}")
    return row


def open_case(conn: Connection, case_id: str) -> Row:
    """The case, which must not be resolved (reopen it first) nor merged (its work goes on in
    the case it went into)."""
    row = existing(conn, case_id)
    if row["status"] == "resolved":
        raise InvalidState("the case is resolved; reopen it first")
    if row["status"] == "merged":
        raise InvalidState(
            "the case was merged into another; work on that one",
            {"merged_into": row["merged_into"]},
        )
    return row
