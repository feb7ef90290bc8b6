"""Assignments follow the assignee: a case is worked by an active analyst or admin, so a user
disabled or made a viewer gives up the cases still open (resolved ones keep their record)."""

from __future__ import annotations

import sqlite3

from irbox.cases import changes
from irbox.identity.principal import Actor
from irbox.store import cases as cases_table


def release(conn: sqlite3.Connection, user_id: str, why: str, actor: Actor, at: int) -> int:
    """Inside the write job that took the user's role or access: unassign their unresolved
    cases, each with its timeline event and `case.updated` webhook. Returns how many."""
    released = cases_table.unresolved_assigned_to(conn, user_id)
    for case_id in released:
        cases_table.update(conn, case_id, {"assignee": None})
        changes.field_changed(conn, case_id, "assignee", user_id, None, actor, at, reason=why)
        changes.announce(conn, case_id, "case.updated", actor, at)
    return len(released)
