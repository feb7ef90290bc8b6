"""UI: "have we seen this before?" for one observable, and the suppressions (create, lift)."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from irbox.errors import DomainError, ValidationFailed
from irbox.identity.sessions import Session
from irbox.observables.normalize import TYPES
from irbox.observables.search import AUTO
from irbox.observables.suppression import SuppressIn
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep, services_of
from irbox.web.ui.inputs import utc_from_local
from irbox.web.ui.security import session_with, signed_form

SUPPRESSIONS_SHOWN = 100


def _render(request: AnyRequest, session: Session, type: str, value: str, error: str | None = None,
            status_code: int = 200, covered: str | None = None) -> Template:  # fmt: skip
    services = services_of(request)
    result = None
    if value and error is None:
        try:
            result = services.observables.search(type, value, 100, None)
        except ValidationFailed as exc:
            error, status_code = "; ".join(exc.details.values()) or exc.message, 400
    context = {
        "session": session, "types": TYPES, "type": type, "value": value, "result": result,
        "error": error,
        "suppressions": services.suppressions.page(True, None, SUPPRESSIONS_SHOWN).items,
        "can_suppress": session.principal.can("observables:write"),
        "can_dismiss": session.principal.can("alerts:write"),
        "sources": services.alerts.sources(),
        # Just suppressed: how many alerts waiting in triage it covers, to dismiss at once.
        "covered": services.covered.count(covered) if covered else None,
    }  # fmt: skip
    return Template("observables.html", context=context, status_code=status_code)


@get("/observables", include_in_schema=False, sync_to_thread=True)
def observable_page(
    request: AnyRequest,
    type: FromQuery[str] = AUTO,
    value: FromQuery[str] = "",
    covered: FromQuery[str | None] = None,
) -> Template:
    session = session_with(request, "observables:read")
    return _render(request, session, type, value, covered=covered)


@post("/observables/suppressions", include_in_schema=False, status_code=303)
async def suppress(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """`until` comes from a datetime-local field, read as UTC."""
    session, form = await signed_form(request, "observables:write")
    until = utc_from_local(form.get("until"))
    data = SuppressIn(type=form.get("type", ""), value=form.get("value", ""),
                      reason=form.get("reason", ""), scope=form.get("scope") or "global",
                      until=until)  # fmt: skip
    try:
        made = await services.suppressions.create(data, session.principal.actor)
    except DomainError as exc:
        problem = "; ".join(f"{k}: {v}" for k, v in exc.details.items()) or exc.message
        return _render(request, session, data.type, data.value, problem, 400)
    shown = {"type": data.type, "value": data.value, "covered": made.id}
    return Redirect(f"/observables?{urlencode(shown)}#covered")


@post("/observables/suppressions/{suppression_id:str}/dismiss-covered", include_in_schema=False,
      status_code=303)  # fmt: skip
async def dismiss_covered(
    request: AnyRequest, services: ServicesDep, suppression_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request, "observables:write", "alerts:write")
    result = await services.covered.dismiss(suppression_id, session.principal.actor)
    return Redirect(f"/alerts?status=dismissed&dismissed={result.dismissed}")


@post("/observables/suppressions/{suppression_id:str}/lift", include_in_schema=False,
      status_code=303)  # fmt: skip
async def lift(
    request: AnyRequest, services: ServicesDep, suppression_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request, "observables:write")
    await services.suppressions.lift(suppression_id, session.principal.actor)
    return Redirect("/observables#suppressions")
