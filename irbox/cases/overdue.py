"""Cases past their time-to-resolve target: each breach is recorded once, in one transaction
with its timeline entry, the `case.sla_breached` webhook event and the assignee's notification
(which the mail follows). Run every few seconds by the server's scheduler."""

from __future__ import annotations

from irbox import clock
from irbox.cases import assignment, changes
from irbox.identity.principal import SYSTEM
from irbox.sla.targets import SlaService, Targets
from irbox.store import cases as cases_table
from irbox.store.database import Connection


def record_breaches(conn: Connection, sla: SlaService, now: int) -> int:
    """Mark every newly overdue case breached; how many were."""
    found = 0
    for severity in Targets.__struct_fields__:
        allowed = sla.resolve_us(severity)
        if allowed is None:
            continue
        for case in cases_table.overdue(conn, severity, now - allowed):
            due = clock.to_rfc3339(case["created_at"] + allowed)
            cases_table.update(conn, case["id"], {"sla_breached_at": now})
            summary = f"SLA breached: not resolved by {due}"
            changes.record(conn, case["id"], "sla_breached", SYSTEM, now, summary, {"due_at": due})
            changes.announce(conn, case["id"], "case.sla_breached", SYSTEM, now)
            assignment.notify_breach(conn, case, now)
            found += 1
    return found
