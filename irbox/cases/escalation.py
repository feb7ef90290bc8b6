"""Escalating an alert: into a new case, or onto an open one (its observables merged in)."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.alerts.models import Observable
from irbox.cases import assignment, changes, templates
from irbox.cases.models import EscalateIn, EscalateResult
from irbox.cases.service import add_observables, insert_case
from irbox.errors import InvalidState, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.store import alerts as alerts_table
from irbox.store import audit
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Row, written
from irbox.store.writer import Writer

_decode_observables = msgspec.json.Decoder(list[Observable]).decode
_decode_tags = msgspec.json.Decoder(list[str]).decode


class EscalationService:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def escalate(self, alert_id: str, data: EscalateIn, actor: Actor) -> EscalateResult:
        if data.case_id is not None and not data.case_id.strip():
            raise ValidationFailed(
                "invalid escalation", {"case_id": "a case id, or null for a new case"}
            )
        if data.case_id is not None and data.template_id is not None:
            raise ValidationFailed(
                "invalid escalation", {"template_id": "only for a new case (case_id null)"}
            )
        now = clock.now_us()

        def write(conn: Connection) -> EscalateResult:
            alert = alerts_table.get(conn, alert_id)
            if alert is None:
                raise NotFound(f"no alert {alert_id}")
            if alert["status"] != "triage":
                raise InvalidState(
                    f"the alert is {alert['status']}; only triage alerts can be escalated"
                )
            if data.case_id is None:
                case_id = _new_case(conn, alert, data.template_id, actor, now)
                case = written(cases_table.get(conn, case_id))
            else:
                case = changes.open_case(conn, data.case_id)
                assignment.notify_of_alert(conn, case, alert["title"], actor, now)
            join_case(conn, alert, case, actor, now)
            return EscalateResult(case_id=case["id"], created=data.case_id is None)

        return await self.writer.run(write)


def join_case(
    conn: Connection,
    alert: Row,
    case: Row,
    actor: Actor,
    now: int,
    why: str | None = None,
) -> None:
    """The alert (in triage) joins the case: escalated, on the case's timeline (`why` says
    what put it there when no one did by hand), `case.alert_added`, its observables added."""
    alert_id, case_id = alert["id"], case["id"]
    alerts_table.set_escalated(conn, alert_id, case_id, now)
    index_events.alert_triaged(conn, alert_id, now, "escalated")
    audit.record(conn, actor.who, "alert.escalate", alert_id, now, {"case_id": case_id})
    summary = f"alert added: {alert['title']}" + (f" ({why})" if why else "")
    changes.record(conn, case_id, "alert_added", actor, now, summary,
                   {"alert_id": alert_id, "source": alert["source"]})  # fmt: skip
    changes.announce(conn, case_id, "case.alert_added", actor, now)
    observables = _decode_observables(alert["observables"])
    add_observables(conn, case_id, case["seq"], observables, actor, now, alert_id=alert_id)


def _new_case(conn: Connection, alert: Row, template_id: str | None, actor: Actor, now: int) -> str:
    """The case an alert opens: its title, severity, description and tags; the template named,
    or else the first whose rule the alert matches, adds its tags, description (when the alert
    has none), TLP, custom field values and tasks."""
    template = (
        templates.named(conn, template_id) if template_id else templates.for_alert(conn, alert)
    )
    tags = _decode_tags(alert["tags"])
    description = alert["description"]
    if template is not None:
        tags = list(dict.fromkeys([*tags, *template.tags]))
        description = description or template.description
    case_id = insert_case(
        conn,
        actor,
        now,
        title=alert["title"],
        severity=alert["severity"],
        description=description,
        tags=tags,
        assignee=None,
        attack=[],
        observables=[],
        marking=((template and template.tlp) or "amber", "amber"),
        custom_fields=templates.starting_values(conn, template) if template else None,
    )
    if template is not None:
        templates.apply(conn, case_id, template, actor, now)
    return case_id
