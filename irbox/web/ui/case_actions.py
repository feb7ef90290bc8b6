"""UI actions in a case workspace: evidence upload and download, ATT&CK mapping, resolve, the
report. Each reuses the same service call as the API; the session stands in for the key."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import File, Redirect

from irbox.cases.custom_fields import from_text
from irbox.cases.models import (
    CaseCreate,
    CaseObservableIn,
    CasePatch,
    LinkIn,
    MergeIn,
    ResolveIn,
    TaskIn,
    TaskPatch,
    TimelineIn,
)
from irbox.errors import ValidationFailed
from irbox.identity.principal import Actor
from irbox.services import Services
from irbox.web import uploads
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep, services_of
from irbox.web.files import case_archive, evidence_file, report_response
from irbox.web.ui.inputs import utc_from_local
from irbox.web.ui.security import CsrfRejected, session_with, signed_form


@post("/cases/{case_id:str}/evidence", include_in_schema=False, status_code=303,
      request_max_body_size=None)  # fmt: skip
async def upload_evidence(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str], csrf: FromQuery[str] = ""
) -> AnyResponse:
    """The CSRF token comes in the query string, so it is checked before a byte is read."""
    session = session_with(request, "cases:write")
    if not hmac.compare_digest(csrf, session.csrf):
        raise CsrfRejected
    await uploads.upload_evidence(
        services.evidence,
        case_id,
        request.headers.get("content-type"),
        request.stream(),
        session.principal.actor,
    )
    return Redirect(f"/cases/{case_id}#evidence")


@post(
    "/cases/{case_id:str}/evidence/{attachment_id:str}/remove",
    include_in_schema=False,
    status_code=303,
)
async def remove_evidence(
    request: AnyRequest, case_id: FromPath[str], attachment_id: FromPath[str]
) -> AnyResponse:
    return await _on_case(
        request,
        f"/cases/{case_id}#evidence",
        lambda services, actor: services.evidence.remove(case_id, attachment_id, actor),
    )


@get(
    "/cases/{case_id:str}/evidence/{attachment_id:str}",
    include_in_schema=False,
    sync_to_thread=True,
)
def download_evidence(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str], attachment_id: FromPath[str]
) -> File:
    session_with(request, "cases:read")
    return evidence_file(services.evidence, case_id, attachment_id)


@get("/cases/{case_id:str}/export", include_in_schema=False, sync_to_thread=True)
def export_case(request: AnyRequest, services: ServicesDep, case_id: FromPath[str]) -> File:
    session_with(request, "cases:read")
    path = services.transfer.export(case_id)
    return case_archive(path, services.cases.summary(case_id).number)


@post("/cases/import", include_in_schema=False, status_code=303, request_max_body_size=None)
async def import_case(
    request: AnyRequest, services: ServicesDep, csrf: FromQuery[str] = ""
) -> AnyResponse:
    """A case archive from another irbox; the CSRF token comes in the query string, so it is
    checked before a byte is read."""
    session = session_with(request, "cases:write")
    if not hmac.compare_digest(csrf, session.csrf):
        raise CsrfRejected
    case = await uploads.import_case(
        services.transfer,
        request.headers.get("content-type"),
        request.stream(),
        session.principal.actor,
    )
    return Redirect(f"/cases/{case.id}")


@post("/cases/{case_id:str}/attack", include_in_schema=False, status_code=303)
async def map_technique(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "cases:write")
    cases = services.cases
    current = [t.id for t in cases.get(case_id).attack]
    wanted = [*current, form.get("technique", "")]
    if form.get("remove"):
        wanted = [t for t in current if t != form["remove"]]
    await cases.update(case_id, CasePatch(attack=wanted), session.principal.actor)
    return Redirect(f"/cases/{case_id}#attack")


@post("/cases", include_in_schema=False, status_code=303)
async def open_case(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """A case opened by hand (a phone call, a report by mail): no alert behind it."""
    session, form = await signed_form(request, "cases:write")
    template_id = form.get("template_id") or None
    data = CaseCreate(
        title=form.get("title", "").strip(),
        # The form's first choice is "the template's": without a template, medium.
        severity=form.get("severity") or ("" if template_id else "medium"),
        description=form.get("description", "").strip() or None,
        assignee=form.get("assignee") or None,
        template_id=template_id,
    )
    case = await services.cases.create(data, session.principal.actor)
    return Redirect(f"/cases/{case.id}")


@post("/cases/{case_id:str}/save-template", include_in_schema=False, status_code=303)
async def save_as_template(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """The case as a template (admins): its title, severity, tags, description, TLP, custom
    field values and tasks; shown in Settings → Case templates."""
    session, form = await signed_form(request, "admin")
    made = await services.templates.save_case(
        case_id, form.get("name", ""), session.principal.actor
    )
    return Redirect(f"/settings#template-{made.id}")


@post("/cases/{case_id:str}/edit", include_in_schema=False, status_code=303)
async def edit_case(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """The workspace's edit form: title, tags, description, severity, status, assignee, custom
    fields (`cf.<key>`, empty clears). A field the form did not send is left as it is."""
    session, form = await signed_form(request, "cases:write")
    patch = CasePatch(
        severity=form.get("severity", ""),
        status=form.get("status", ""),
        assignee=form.get("assignee") or None,
    )
    if "title" in form:
        patch.title = form["title"].strip()
    if "description" in form:
        patch.description = form["description"]  # the service normalises it
    if "tags" in form:
        patch.tags = [t.strip() for t in form["tags"].split(",") if t.strip()]
    if "tlp" in form:
        patch.tlp = form["tlp"]
    if "pap" in form:
        patch.pap = form["pap"]
    fields = services.custom_fields.by_key()
    typed = {key: from_text(fields[key], form[f"cf.{key}"]) for key in fields
             if f"cf.{key}" in form}  # fmt: skip
    if typed:
        patch.custom_fields = typed
    await services.cases.update(case_id, patch, session.principal.actor)
    return Redirect(f"/cases/{case_id}")


def _case_numbered(services: Services, form: dict[str, str], problem: str) -> str:
    """The id of the case the form names by its number (`#12` or `12`)."""
    number = form.get("number", "").strip().lstrip("#")
    if not number.isdigit():
        raise ValidationFailed(problem, {"number": "a case number, like 12"})
    return services.links.id_of_number(int(number))


@post("/cases/{case_id:str}/merge", include_in_schema=False, status_code=303)
async def merge_case(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """Merge into the case with that number (`#12` or `12`); on to that case."""
    session, form = await signed_form(request, "cases:write")
    into = MergeIn(into=_case_numbered(services, form, "the merge is invalid"))
    await services.merges.merge(case_id, into, session.principal.actor)
    return Redirect(f"/cases/{case_id}")  # a merged case's page opens the target, saying so


@post("/cases/{case_id:str}/links", include_in_schema=False, status_code=303)
async def link_case(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """Link the case with that number (`#12` or `12`) as related, parent or child."""
    session, form = await signed_form(request, "cases:write")
    other = _case_numbered(services, form, "the link is invalid")
    link = LinkIn(case_id=other, kind=form.get("kind", ""))
    await services.links.link(case_id, link, session.principal.actor)
    return Redirect(f"/cases/{case_id}#links")


@post("/cases/{case_id:str}/links/{linked_id:str}/remove", include_in_schema=False,
      status_code=303)  # fmt: skip
async def unlink_case(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str], linked_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request, "cases:write")
    await services.links.unlink(case_id, linked_id, session.principal.actor)
    return Redirect(f"/cases/{case_id}#links")


@post("/cases/{case_id:str}/tasks", include_in_schema=False, status_code=303)
async def add_task(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """A task on the case's checklist (required: the case waits for it)."""
    session, form = await signed_form(request, "cases:write")
    task = TaskIn(title=form.get("title", ""), required="required" in form)
    await services.tasks.add(case_id, task, session.principal.actor)
    return Redirect(f"/cases/{case_id}#tasks")


@post("/cases/{case_id:str}/tasks/{task_id:str}/status", include_in_schema=False,
      status_code=303)  # fmt: skip
async def set_task_status(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str], task_id: FromPath[str]
) -> AnyResponse:
    """Tick a task done, or open it again."""
    session, form = await signed_form(request, "cases:write")
    patch = TaskPatch(status=form.get("status", ""))
    await services.tasks.update(case_id, task_id, patch, session.principal.actor)
    return Redirect(f"/cases/{case_id}#tasks")


@post("/cases/{case_id:str}/observables", include_in_schema=False, status_code=303)
async def add_observable(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """An indicator found during the investigation (normalised like the API's)."""
    session, form = await signed_form(request, "cases:write")
    item = CaseObservableIn(
        type=form.get("type", ""),
        value=form.get("value", "").strip(),
        tlp=form.get("tlp", "amber"),
        pap=form.get("pap", "amber"),
    )
    await services.cases.add_observable(case_id, item, session.principal.actor)
    return Redirect(f"/cases/{case_id}#case-observables")


@post(
    "/cases/{case_id:str}/observables/{observable_id:str}/remove",
    include_in_schema=False,
    status_code=303,
)
async def remove_observable(
    request: AnyRequest, case_id: FromPath[str], observable_id: FromPath[str]
) -> AnyResponse:
    return await _on_case(
        request,
        f"/cases/{case_id}#case-observables",
        lambda services, actor: services.cases.remove_observable(case_id, observable_id, actor),
    )


@post(
    "/cases/{case_id:str}/comments/{comment_id:str}/delete",
    include_in_schema=False,
    status_code=303,
)
async def delete_comment(
    request: AnyRequest, case_id: FromPath[str], comment_id: FromPath[str]
) -> AnyResponse:
    return await _on_case(
        request,
        f"/cases/{case_id}#comments",
        lambda services, actor: services.comments.delete(case_id, comment_id, actor),
    )


@post("/cases/{case_id:str}/reopen", include_in_schema=False, status_code=303)
async def reopen_case(request: AnyRequest, case_id: FromPath[str]) -> AnyResponse:
    return await _on_case(
        request,
        f"/cases/{case_id}",
        lambda services, actor: services.resolution.reopen(case_id, actor),
    )


async def _on_case(
    request: AnyRequest, then: str, act: Callable[[Services, Actor], Awaitable[object]]
) -> AnyResponse:
    """A button in a case workspace that sends nothing but its CSRF token: run it, then back
    to `then` (the part of the page it changed)."""
    session, _ = await signed_form(request, "cases:write")
    await act(services_of(request), session.principal.actor)
    return Redirect(then)


@post("/cases/{case_id:str}/timeline", include_in_schema=False, status_code=303)
async def add_timeline_entry(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    """What happened when (`at` from a datetime-local field, read as UTC), e.g. "08:02 the user
    opened the attachment": the timeline sorts it among the recorded events."""
    session, form = await signed_form(request, "cases:write")
    entry = TimelineIn(at=utc_from_local(form.get("at")) or "", summary=form.get("summary", ""))
    await services.cases.add_timeline_entry(case_id, entry, session.principal.actor)
    return Redirect(f"/cases/{case_id}#timeline")


@post("/cases/{case_id:str}/resolve", include_in_schema=False, status_code=303)
async def resolve_case(
    request: AnyRequest, services: ServicesDep, case_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "cases:write")
    data = ResolveIn(verdict=form.get("verdict", ""), root_cause=form.get("root_cause", ""),
                     narrative=form.get("narrative", ""))  # fmt: skip
    await services.resolution.resolve(case_id, data, session.principal.actor)
    return Redirect(f"/cases/{case_id}")


@get("/cases/{case_id:str}/report", include_in_schema=False, sync_to_thread=True)
def case_report(
    request: AnyRequest,
    services: ServicesDep,
    case_id: FromPath[str],
    format: FromQuery[str] = "html",
) -> AnyResponse:
    session_with(request, "cases:read")
    return report_response(services.resolution, case_id, format, download=True)
