"""Triage in bulk (`POST /alerts/bulk`): dismiss, escalate or tag up to 10,000 alerts named by id
or by the alert list's filter, each alert on its own (one that cannot take the action is listed
in `failed` with its error; the others go ahead). The writes are submitted together, so they
share the writer's group commits."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox.alerts.filters import parse_filter
from irbox.alerts.models import REASON_CODES, DismissIn, ItemError
from irbox.alerts.service import AlertService, for_each_alert
from irbox.cases.escalation import EscalationService
from irbox.cases.models import EscalateIn
from irbox.errors import DomainError, Errors, Forbidden, ValidationFailed
from irbox.identity.principal import Principal

MAX_ALERTS = 10_000
ACTIONS = ("dismiss", "escalate", "tag")


class BulkFilter(msgspec.Struct, forbid_unknown_fields=True):
    """The `GET /alerts` filters, as values (comma lists allowed, as in the query string)."""

    status: str | None = None
    severity: str | None = None
    source: str | None = None
    tag: str | None = None
    since: str | None = None
    until: str | None = None
    q: str | None = None


class BulkIn(msgspec.Struct, forbid_unknown_fields=True):
    action: str
    ids: list[str] | None = None
    filter: BulkFilter | None = None
    reason_code: str | None = None  # dismiss
    comment: str = ""  # dismiss
    case_id: str | None = None  # escalate: null for one new case holding them all
    tags: list[str] | None = None  # tag


class Failure(msgspec.Struct):
    id: str
    error: ItemError


class BulkResult(msgspec.Struct):
    matched: int
    succeeded: int
    failed: list[Failure]
    case_id: str | None = None  # escalate: the case the alerts joined


class BulkService:
    def __init__(self, alerts: AlertService, escalation: EscalationService) -> None:
        self.alerts = alerts
        self.escalation = escalation

    async def run(self, data: BulkIn, principal: Principal) -> BulkResult:
        self._check(data, principal)
        ids = self._targets(data)
        actor = principal.actor
        if data.action == "escalate":
            return await self._escalate(ids, data.case_id, principal)
        if data.action == "dismiss":
            dismissal = DismissIn(reason_code=data.reason_code or "", comment=data.comment)
            outcomes = await for_each_alert(ids, lambda i: self.alerts.dismiss(i, dismissal, actor))
        else:
            tags = data.tags or []
            outcomes = await for_each_alert(ids, lambda i: self.alerts.add_tags(i, tags, actor))
        return _result(ids, outcomes)

    def _check(self, data: BulkIn, principal: Principal) -> None:
        errors = Errors()
        if data.action not in ACTIONS:
            errors.add("action", f"one of {', '.join(ACTIONS)}")
        if (data.ids is None) == (data.filter is None):
            errors.add("ids", "name the alerts by `ids` or by `filter`, one of the two")
        if data.ids is not None and not 1 <= len(data.ids) <= MAX_ALERTS:
            errors.add("ids", f"1 to {MAX_ALERTS} alert ids")
        if data.action == "dismiss" and data.reason_code not in REASON_CODES:
            errors.add("reason_code", "unknown reason" if data.reason_code else "required")
        if data.action == "tag" and not data.tags:
            errors.add("tags", "at least one tag")
        errors.raise_if_any("invalid bulk action")
        if data.action == "escalate" and not principal.can("cases:write"):
            raise Forbidden("cases:write")

    def _targets(self, data: BulkIn) -> list[str]:
        if data.ids is not None:
            return list(dict.fromkeys(data.ids))
        f = data.filter or BulkFilter()
        flt = parse_filter(f.status, f.severity, f.source, f.since, f.until, f.q, f.tag)
        page = self.alerts.list(flt, None, MAX_ALERTS)
        if page.next_cursor is not None:
            raise ValidationFailed(
                "too many alerts match", {"filter": f"more than {MAX_ALERTS} alerts; narrow it"}
            )
        return [a.id for a in page.items]

    async def _escalate(
        self, ids: list[str], case_id: str | None, principal: Principal
    ) -> BulkResult:
        """Into `case_id`, or into one new case made by the first alert that can escalate."""
        actor = principal.actor
        outcomes: list[Any] = []
        first = 0
        while case_id is None and first < len(ids):  # the first alert that can makes the case
            try:
                made = await self.escalation.escalate(ids[first], EscalateIn(case_id=None), actor)
                outcomes.append(made)
                case_id = made.case_id
            except DomainError as exc:
                outcomes.append(exc)
            first += 1
        if first < len(ids):
            target = EscalateIn(case_id=case_id)
            escalate = self.escalation.escalate
            outcomes += await for_each_alert(ids[first:], lambda i: escalate(i, target, actor))
        result = _result(ids, outcomes)
        result.case_id = case_id
        return result


def _result(ids: list[str], outcomes: list[Any]) -> BulkResult:
    failed = [
        Failure(id=i, error=ItemError(o.code, o.message, o.details))
        for i, o in zip(ids, outcomes, strict=True)
        if isinstance(o, DomainError)
    ]
    return BulkResult(matched=len(ids), succeeded=len(ids) - len(failed), failed=failed)
