"""UI pages for the investigation: alert detail with escalation, the case list and workspace."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from irbox import markdown_html
from irbox.alerts.filters import parse_filter
from irbox.alerts.models import REASON_CODES, SEVERITIES
from irbox.cases.models import CASE_STATUSES, PAP, TLP, VERDICTS, CommentIn, EscalateIn
from irbox.errors import ValidationFailed
from irbox.observables.normalize import TYPES as OBSERVABLE_TYPES
from irbox.paging import decode_cursor
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep
from irbox.web.ui.formats import names_of
from irbox.web.ui.security import session_with, signed_form

CASE_PAGE = 100
# Observables whose other sightings a case or alert page shows: one index look-up each (~1 ms at
# 100 k alerts), and an alert may carry 1,000 (measured: its page took 0.63 s with them all).
SIGHTED_MAX = 20
RELATED_SHOWN = 20  # related alerts and cases listed on an alert's page


@get("/alerts/{alert_id:str}", include_in_schema=False, sync_to_thread=True)
def alert_detail(
    request: AnyRequest,
    services: ServicesDep,
    alert_id: FromPath[str],
    status: FromQuery[str | None] = None,
    severity: FromQuery[str | None] = None,
    source: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    tag: FromQuery[str | None] = None,
    sort: FromQuery[str | None] = None,
) -> Template:
    """Opened from the queue, the page keeps the queue's filters: its back link returns to
    them, and newer / older step through the alerts they match."""
    session = session_with(request, "alerts:read")
    alert = services.alerts.get(alert_id)
    given = (("status", status), ("severity", severity), ("source", source), ("q", q),
             ("tag", tag), ("sort", sort))  # fmt: skip
    queue = {k: v for k, v in given if v is not None}
    newer = older = None
    if queue:
        try:
            flt = parse_filter(status, severity, source, None, None, q, tag, sort)
            newer, older = services.alerts.neighbours(flt, alert_id)
        except ValidationFailed:
            queue = {}  # a filter edited by hand: the plain page
    seen = {
        (o.type, o.value): services.observables.sighted(o.type, o.value).alert_count
        for o in alert.observables[:SIGHTED_MAX]
    }
    open_cases = services.cases.list(["open", "in_progress"], [], None, None, 100).items
    related = services.related.related(alert_id, RELATED_SHOWN, None).items
    return Template(
        "alert.html",
        context={
            "session": session,
            "alert": alert,
            "case": services.cases.summary(alert.case_id) if alert.case_id else None,
            "description_html": markdown_html.render(alert.description or ""),
            "names": names_of(services.users.list()),
            "seen": seen,
            "sighted_max": SIGHTED_MAX,
            "raw": json.dumps(alert.raw, indent=2, sort_keys=True) if alert.raw else "",
            "open_cases": open_cases,
            "queue": urlencode(queue),
            "newer": newer,
            "older": older,
            "by_severity": queue.get("sort") == "severity",  # steps are previous / next
            "related": related,
            "related_alerts": sum(1 for r in related if r.kind == "alert"),
            "reasons": REASON_CODES,
            "can_write": session.principal.can("alerts:write")
            and session.principal.can("cases:write"),
            "can_triage": session.principal.can("alerts:write"),
        },
    )


@post("/alerts/{alert_id:str}/escalate-related", include_in_schema=False, status_code=303)
async def escalate_with_related(
    request: AnyRequest, services: ServicesDep, alert_id: FromPath[str]
) -> AnyResponse:
    """The alert and its related alerts in triage, into the open case holding some of them
    or a new one; then that case."""
    session, _ = await signed_form(request, "alerts:write", "cases:write")
    result = await services.together.escalate(alert_id, session.principal)
    if result.case_id is None:  # nothing could be escalated (e.g. handled meanwhile)
        return Redirect(f"/alerts/{alert_id}")
    return Redirect(f"/cases/{result.case_id}")


@post("/alerts/{alert_id:str}/escalate", include_in_schema=False, status_code=303)
async def escalate_alert(
    request: AnyRequest, services: ServicesDep, alert_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "alerts:write", "cases:write")
    target = EscalateIn(case_id=form.get("case_id") or None)
    result = await services.escalation.escalate(alert_id, target, session.principal.actor)
    return Redirect(f"/cases/{result.case_id}")


@get("/cases", include_in_schema=False, sync_to_thread=True)
def case_list(
    request: AnyRequest,
    services: ServicesDep,
    status: FromQuery[str | None] = None,
    severity: FromQuery[str | None] = None,
    assignee: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
    cf_key: FromQuery[str | None] = None,
    cf_value: FromQuery[str | None] = None,
    cursor: FromQuery[str | None] = None,
) -> Template:
    """Filters as `GET /api/v1/cases` takes them; the form's custom field filter comes as
    `cf_key` and `cf_value` (a link may say `cf.<key>=` too)."""
    session = session_with(request, "cases:read")
    users = services.users.list()
    filters = {"status": status or "", "severity": severity or "", "assignee": assignee or "",
               "q": q or "", "cf_key": cf_key or "", "cf_value": cf_value or ""}  # fmt: skip
    wanted = {k[3:]: v for k, v in request.query_params.items() if k.startswith("cf.")}
    if cf_key and cf_value:
        wanted[cf_key] = cf_value
    context = {"session": session, "filters": filters, "query": urlencode(filters), "users": users,
               "names": names_of(users), "statuses": CASE_STATUSES,
               "severities": SEVERITIES, "page": None, "error": None,
               "fields": services.custom_fields.by_key(),
               "templates": services.templates.list().items,
               "can_write": session.principal.can("cases:write")}  # fmt: skip
    try:
        context["page"] = services.cases.list(
            [status] if status else [], [severity] if severity else [], assignee or None,
            decode_cursor(cursor), CASE_PAGE, q, wanted,
        )  # fmt: skip
    except ValidationFailed as exc:
        context["error"] = "; ".join(exc.details.values()) or exc.message
        return Template("cases.html", context=context, status_code=400)
    return Template("cases.html", context=context)


@get("/cases/{case_id:str}", include_in_schema=False, sync_to_thread=True)
def case_workspace(
    request: AnyRequest,
    services: ServicesDep,
    case_id: FromPath[str],
    attack_q: FromQuery[str] = "",
) -> Template | Redirect:
    """A merged case's page is the page of the case it went into."""
    session = session_with(request, "cases:read")
    case = services.cases.get(case_id)
    if case.merged_into:
        return Redirect(f"/cases/{case.merged_into}?merged={case.number}", status_code=303)
    users = services.users.list()
    # Where else each observable was seen (one index lookup each: the first ones only)
    sighted = {
        (o.type, o.value): services.observables.sighted(o.type, o.value)
        for o in case.observables[:SIGHTED_MAX]
    }
    found = services.attack.search(attack_q, 10) if attack_q else []
    mentionable = [{"email": u.email, "name": u.name} for u in users if not u.disabled]
    return Template(
        "case.html",
        context={
            "session": session,
            "case": case,
            "description_html": markdown_html.render(case.description or ""),
            "narrative_html": markdown_html.render(
                case.resolution.narrative if case.resolution else ""
            ),
            "users": users,
            "mentionable": json.dumps(mentionable),
            "names": names_of(users),
            "can_write": session.principal.can("cases:write") and case.status != "resolved",
            "can_reopen": session.principal.can("cases:write") and case.status == "resolved",
            # Entries about what happened are welcome after the verdict too (README).
            "can_note": session.principal.can("cases:write"),
            "attack_q": attack_q,
            "found": found,
            "verdicts": VERDICTS,
            "observable_types": OBSERVABLE_TYPES,
            "tlps": TLP,
            "paps": PAP,
            "sighted": sighted,
            "severities": SEVERITIES,
            "fields": services.custom_fields.by_key(),
            "can_save_template": session.principal.can("admin"),
            "merged_from": request.query_params.get("merged"),
        },
    )


@post("/cases/{case_id:str}/comments", include_in_schema=False, status_code=303)
async def add_comment(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "cases:write")
    comment = CommentIn(body=form.get("body", ""))  # the service finds its @address mentions
    await services.comments.add(case_id, comment, session.principal.actor)
    return Redirect(f"/cases/{case_id}#comments")


@post("/cases/{case_id:str}/comments/{comment_id:str}/edit", include_in_schema=False,
      status_code=303)  # fmt: skip
async def edit_comment(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str], comment_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "cases:write")
    comment = CommentIn(body=form.get("body", ""))  # the service finds its @address mentions
    actor = session.principal.actor
    await services.comments.edit(case_id, comment_id, comment, actor)
    return Redirect(f"/cases/{case_id}#{comment_id}")


@post("/cases/{case_id:str}/comments/preview", include_in_schema=False, status_code=200)
async def preview_comment(request: AnyRequest, case_id: FromPath[str]) -> AnyResponse:
    """The comment as it will show, rendered and sanitised exactly like a saved one."""
    _, form = await signed_form(request, "cases:write")
    html = markdown_html.render(form.get("body", "")) or "<p class='empty'>Nothing to preview.</p>"
    return Response(html, media_type="text/html")
