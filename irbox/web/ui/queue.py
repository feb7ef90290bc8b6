"""The alert queue: filters, pages loaded on scroll, new alerts arriving while it is open, and
dismissal one by one (htmx) or in bulk."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import msgspec
from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from irbox.alerts.filters import parse_filter
from irbox.alerts.models import REASON_CODES, SEVERITIES, STATUSES, AlertFilter, DismissIn
from irbox.alerts.saved_views import SavedViewIn, ViewFilters
from irbox.cases.bulk import BulkFilter, BulkIn
from irbox.errors import ValidationFailed
from irbox.identity.sessions import Session
from irbox.paging import MAX_LIMIT
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep
from irbox.web.ui.security import session_with, signed_form

PAGE_SIZE = 50
NEW_ROWS_MAX = 200  # one poll shows at most this many new alerts; the rest on reload


FILTERS = ("status", "severity", "source", "q", "tag", "sort")  # in the queue's URLs and forms


def _filters(
    status: str | None,
    severity: str | None,
    source: str | None,
    q: str | None,
    tag: str | None = None,
    sort: str | None = None,
) -> dict[str, str]:
    return {"status": status or "", "severity": severity or "", "source": source or "",
            "q": q or "", "tag": tag or "", "sort": sort or ""}  # fmt: skip


def _parse(filters: dict[str, str]) -> AlertFilter:
    return parse_filter(filters["status"] or None, filters["severity"] or None,
                        filters["source"] or None, None, None, filters["q"] or None,
                        filters["tag"] or None, filters["sort"] or None)  # fmt: skip


def _row_context(session: Session, filters: dict[str, str]) -> dict[str, Any]:
    return {
        "session": session,
        "filters": filters,
        "query": urlencode(filters),
        "reasons": REASON_CODES,
        "can_write": session.principal.can("alerts:write"),
        "can_escalate": session.principal.can("cases:write"),
    }


@get("/alerts", include_in_schema=False, sync_to_thread=True)
def alert_queue(
    request: AnyRequest,
    services: ServicesDep,
    status: FromQuery[str | None] = "triage",
    severity: FromQuery[str | None] = None,
    source: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    tag: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
    dismissed: FromQuery[int | None] = None,
    tagged: FromQuery[int | None] = None,
) -> Template:
    session = session_with(request, "alerts:read")
    alerts = services.alerts
    filters = _filters(status, severity, source, q, tag, sort)
    context = _row_context(session, filters)
    context.update(statuses=STATUSES, severities=SEVERITIES, dismissed=dismissed, tagged=tagged,
                   error=None,
                   sources=alerts.sources())  # fmt: skip
    shown = {k: v for k, v in filters.items() if v}
    views = services.saved_views.list(session.principal.user_id).items
    context["views"] = [
        {"id": v.id, "name": v.name, "query": urlencode(_view_query(v.filters)),
         "current": _view_query(v.filters) == shown}
        for v in views
    ]  # fmt: skip
    context["default_view"] = shown == {"status": "triage"} or not shown
    newest = alerts.latest_seq()  # read first: an alert stored meanwhile shows up on the next poll
    try:
        page = alerts.page(_parse(filters), None, PAGE_SIZE)
    except ValidationFailed as exc:
        context.update(error="; ".join(exc.details.values()), page=None, newest=newest)
        return Template("alerts.html", context=context, status_code=400)
    context.update(page=page, newest=newest)
    return Template("alerts.html", context=context)


def _view_query(filters: ViewFilters) -> dict[str, str]:
    return {k: v for k, v in msgspec.structs.asdict(filters).items() if v}


@post("/alerts/views", include_in_schema=False, status_code=303)
async def save_view(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """The queue's current filters under a name: a tab of the user's own."""
    session, form = await signed_form(request, "alerts:read")
    filters = ViewFilters(**{k: form[k] for k in FILTERS if form.get(k)})
    data = SavedViewIn(name=form.get("name", ""), filters=filters)
    await services.saved_views.save(session.principal.user_id, data, session.principal.actor)
    return Redirect(f"/alerts?{urlencode(_view_query(filters))}")


@post("/alerts/views/{view_id:str}/delete", include_in_schema=False, status_code=303)
async def delete_view(
    request: AnyRequest, services: ServicesDep, view_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request, "alerts:read")
    await services.saved_views.delete(session.principal.user_id, view_id, session.principal.actor)
    return Redirect("/alerts")


@get("/alerts/{alert_id:str}/hint", include_in_schema=False, sync_to_thread=True)
def related_hint(request: AnyRequest, services: ServicesDep, alert_id: FromPath[str]) -> Template:
    """A queue row's "3 related · case #12": loaded by the row when it scrolls into view, so
    the queue draws at once and each row's look-ups (the index, per observable) follow."""
    session_with(request, "alerts:read")
    items = services.related.related(alert_id, MAX_LIMIT, None).items
    alerts = sum(1 for item in items if item.kind == "alert")
    case = next((item for item in items if item.kind == "case"), None)
    context = {"alert_id": alert_id, "alerts": alerts, "case": case}
    return Template("related_hint.html", context=context)


@get("/alerts/rows", include_in_schema=False, sync_to_thread=True)
def alert_rows(
    request: AnyRequest,
    services: ServicesDep,
    status: FromQuery[str | None] = None,
    severity: FromQuery[str | None] = None,
    source: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    tag: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
    newer: FromQuery[int | None] = None,
) -> AnyResponse:
    """Rows for the queue: the next page (`cursor`), or the alerts stored since `newer` (a
    sequence number) for the live view, with the new high-water mark in `X-Newest-Seq`."""
    session = session_with(request, "alerts:read")
    alerts = services.alerts
    filters = _filters(status, severity, source, q, tag, sort)
    context = _row_context(session, filters)
    flt = _parse(filters)
    if newer is not None:
        newest = alerts.latest_seq()
        page = alerts.list(flt, newest + 1, NEW_ROWS_MAX, after_seq=newer)
        page.next_cursor = None  # older rows are already on the page
        headers = {"X-Newest-Seq": str(newest)}
    else:
        page = alerts.page(flt, cursor, PAGE_SIZE)
        headers = {}
    context.update(page=page, fresh=newer is not None)
    return Template("alert_rows.html", context=context, headers=headers)


@post("/alerts/{alert_id:str}/dismiss", include_in_schema=False, status_code=200)
async def dismiss_alert(
    request: AnyRequest, services: ServicesDep, alert_id: FromPath[str]
) -> AnyResponse:
    """From the queue (htmx) the answer is the updated row; from the alert's page, the page."""
    session, form = await signed_form(request, "alerts:write")
    data = DismissIn(reason_code=form.get("reason_code", "other"), comment=form.get("comment", ""))
    alert = await services.alerts.dismiss(alert_id, data, session.principal.actor)
    if not request.headers.get("hx-request"):
        return Redirect(f"/alerts/{alert_id}")
    context = _row_context(session, _filters(None, None, None, None))
    context["alert"] = alert
    return Template("alert_row.html", context=context)


@post("/alerts/{alert_id:str}/reopen", include_in_schema=False, status_code=303)
async def reopen_alert(
    request: AnyRequest, services: ServicesDep, alert_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request, "alerts:write")
    await services.alerts.reopen(alert_id, session.principal.actor)
    return Redirect(f"/alerts/{alert_id}")


@post("/alerts/bulk", include_in_schema=False, status_code=303)
async def bulk_action(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """The queue's bulk bar: dismiss, escalate into one new case or tag the ticked rows, or
    every alert matching the queue's filters ("all matching")."""
    session, form = await signed_form(request, "alerts:write")
    fields = await request.form()
    back = _filters(*(str(form.get(k, "")) for k in FILTERS))
    every = form.get("every") == "on"
    action = form.get("action", "")
    tags = [t.strip() for t in form.get("tags", "").split(",") if t.strip()]
    data = BulkIn(
        action=action,
        ids=None if every else [str(i) for i in fields.getall("ids")] if "ids" in fields else [],
        filter=BulkFilter(**{k: v for k, v in back.items() if v and k != "sort"})
        if every
        else None,
        reason_code=form.get("reason_code") if action == "dismiss" else None,
        tags=tags if action == "tag" else None,
    )
    result = await services.bulk.run(data, session.principal)
    if action == "escalate" and result.case_id is not None:
        return Redirect(f"/cases/{result.case_id}")
    done = {"dismissed" if action == "dismiss" else "tagged": result.succeeded}
    return Redirect(f"/alerts?{urlencode({**back, **done})}")
