"""Assignments: the assignee hears of a case given to them and of alerts added to it (a
notification, unless they did it themselves), and a case is worked by an active analyst or
admin, so a user disabled or made a viewer gives up the cases still open (resolved ones keep
their record)."""

from __future__ import annotations

from irbox import ids
from irbox.cases import changes
from irbox.identity.principal import Actor
from irbox.store import cases as cases_table
from irbox.store import notifications
from irbox.store.database import Connection, Row, written


def notify_assignee(
    conn: Connection, case_id: str, assignee: str | None, actor: Actor, at: int
) -> None:
    """Inside the write that assigned the case (after it): tell the new assignee, unless they
    assigned themselves."""
    if assignee is None or assignee == actor.user_id:
        return
    case = written(cases_table.get(conn, case_id))
    summary = f"assigned case #{case['number']}: {case['title']}"
    _notify(conn, assignee, "assigned", case_id, summary, at)


def notify_of_alert(conn: Connection, case: Row, alert_title: str, actor: Actor, at: int) -> None:
    """Inside the write that escalated an alert into an existing case (its row): tell its
    assignee (the case grew while they work it), unless they added the alert themselves."""
    if case["assignee"] is None or case["assignee"] == actor.user_id:
        return
    summary = f"alert added to case #{case['number']}: {alert_title}"
    _notify(conn, case["assignee"], "alert_added", case["id"], summary, at)


def notify_breach(conn: Connection, case: Row, at: int) -> None:
    """Inside the write that records a case's SLA breach: tell its assignee, if any."""
    if case["assignee"] is not None:
        summary = f"SLA breached on case #{case['number']}: {case['title']}"
        _notify(conn, case["assignee"], "sla_breached", case["id"], summary, at)


def _notify(conn: Connection, user_id: str, kind: str, case_id: str, summary: str, at: int) -> None:
    notifications.insert(
        conn,
        {
            "id": ids.new_id("ntf"),
            "user_id": user_id,
            "kind": kind,
            "case_id": case_id,
            "comment_id": None,
            "summary": summary,
            "created_at": at,
        },
    )


def release(conn: Connection, user_id: str, why: str, actor: Actor, at: int) -> int:
    """Inside the write job that took the user's role or access: unassign their unresolved
    cases, each with its timeline event and `case.updated` webhook. Returns how many."""
    released = cases_table.unresolved_assigned_to(conn, user_id)
    for case_id in released:
        cases_table.update(conn, case_id, {"assignee": None})
        changes.field_changed(conn, case_id, "assignee", user_id, None, actor, at, reason=why)
        changes.announce(conn, case_id, "case.updated", actor, at)
    return len(released)
