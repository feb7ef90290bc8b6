"""Reading a case: the full case file assembled in one read transaction."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox import clock
from irbox.alerts.models import Observable
from irbox.attack.catalogue import Catalogue
from irbox.cases.comments import comment_from_row
from irbox.cases.evidence import evidence_from_row
from irbox.cases.models import (
    AttackTechnique,
    Case,
    CaseAlert,
    CaseLink,
    CaseObservable,
    CaseSummary,
    ReportLinks,
    Resolution,
    TimelineEvent,
)
from irbox.cases.tasks import to_task
from irbox.sla.targets import SlaService
from irbox.store import alerts as alerts_table
from irbox.store import (
    attachments,
    case_links,
    case_observables,
    case_tasks,
    comments,
    timeline,
)
from irbox.store.database import Connection, RowLike

_decode_list = msgspec.json.Decoder(list[str]).decode
_decode_observables = msgspec.json.Decoder(list[Observable]).decode
_decode_dict = msgspec.json.Decoder(dict[str, Any]).decode


def summary_fields(row: RowLike, sla: SlaService | None = None) -> dict[str, Any]:
    return {
        "id": row["id"],
        "number": row["number"],
        "title": row["title"],
        "severity": row["severity"],
        "status": row["status"],
        "assignee": row["assignee"],
        "tags": _decode_list(row["tags"]),
        "created_at": clock.to_rfc3339(row["created_at"]),
        "created_by": row["created_by"],
        "updated_at": clock.to_rfc3339(row["updated_at"]),
        "tlp": row["tlp"],
        "pap": row["pap"],
        "custom_fields": _decode_dict(row["custom_fields"]),
        "merged_into": row["merged_into"],
        # A merged case's clock stopped: its work goes on under the case it went into.
        "sla": sla.for_case(row["severity"], row["created_at"], row["resolved_at"])
        if sla and row["status"] != "merged"
        else None,
    }


def to_summary(row: RowLike, sla: SlaService | None = None) -> CaseSummary:
    return CaseSummary(**summary_fields(row, sla))


def read_case(
    conn: Connection,
    row: RowLike,
    catalogue: Catalogue,
    public_url: str,
    sla: SlaService | None = None,
) -> Case:
    case_id = row["id"]
    alerts = alerts_table.for_case(conn, case_id)
    carried: dict[tuple[str, str], list[str]] = {}
    for a in alerts:
        for o in _decode_observables(a["observables"]):
            carried.setdefault((o.type, o.value), []).append(a["id"])
    resolution = None
    report = None
    if row["resolution"]:
        resolution = msgspec.json.decode(row["resolution"], type=Resolution)
        base = f"{public_url.rstrip('/')}/api/v1/cases/{case_id}/report"
        report = ReportLinks(generated_at=resolution.at, html=base, markdown=f"{base}?format=md")
    return Case(
        **summary_fields(row, sla),
        description=row["description"],
        alerts=[
            CaseAlert(a["id"], a["title"], a["severity"], a["source"], _ts(a["detected_at"]))
            for a in alerts
        ],
        observables=[
            CaseObservable(
                o["id"],
                o["type"],
                o["value"],
                _ts(o["first_seen"]),
                carried.get((o["type"], o["value"]), []),
                o["tlp"],
                o["pap"],
            )
            for o in case_observables.for_case(conn, case_id)
        ],
        evidence=[evidence_from_row(e) for e in attachments.for_case(conn, case_id)],
        attack=[_technique(catalogue, t) for t in _decode_list(row["attack"])],
        comments=[comment_from_row(c) for c in comments.for_case(conn, case_id)],
        timeline=[
            TimelineEvent(
                _ts(t["at"]), t["type"], t["actor"], t["summary"], _decode_dict(t["data"])
            )
            for t in timeline.for_case(conn, case_id)
        ],
        resolution=resolution,
        report=report,
        tasks=[to_task(t) for t in case_tasks.for_case(conn, case_id)],
        links=[
            CaseLink(link["linked_id"], link["number"], link["title"], link["status"], link["kind"])
            for link in case_links.for_case(conn, case_id)
        ],
    )


def _technique(catalogue: Catalogue, technique_id: str) -> AttackTechnique:
    known = catalogue.by_id.get(technique_id)
    if known is None:  # mapped under an older catalogue that no longer lists it
        return AttackTechnique(technique_id, "(not in the current catalogue)", [])
    return AttackTechnique(known.id, known.name, known.tactics)


def _ts(us: int) -> str:
    return clock.to_rfc3339(us) or ""
