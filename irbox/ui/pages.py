"""UI pages: sign-in, sign-out and the alert queue."""

from __future__ import annotations

from pathlib import Path

from litestar import Request, Response, Router, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from irbox.alerts.models import REASON_CODES, SEVERITIES, STATUSES, DismissIn
from irbox.alerts.service import parse_filter
from irbox.api.asgi import client_ip
from irbox.errors import DomainError, Unauthorized
from irbox.ui import case_actions, cases, dashboard, observables, settings
from irbox.ui.security import COOKIE, HEADERS, checked_form, current_session

STATIC = Path(__file__).parent / "static"
PAGE_SIZE = 50


@get("/", include_in_schema=False)
async def home() -> Redirect:
    return Redirect("/alerts")


@get("/login", include_in_schema=False)
async def login_page(error: FromQuery[str | None] = None) -> Template:
    return Template("login.html", context={"error": error})


@post("/login", include_in_schema=False, status_code=303)
async def login(request: Request) -> Response:
    state = request.app.state
    ip = client_ip(request.scope)
    if state.login_limiter.take(f"login:{ip}"):
        return Template("login.html", context={"error": "Too many attempts; wait a minute."},
                        status_code=429)  # fmt: skip
    form = await request.form()
    try:
        principal = state.services.users.sign_in(
            str(form.get("email", "")), str(form.get("password", "")), ip
        )
    except Unauthorized:
        return Template("login.html", context={"error": "Wrong email or password."},
                        status_code=401)  # fmt: skip
    cookie, _ = await state.services.sessions.open(principal)
    response = Redirect("/alerts")
    secure = state.services.config.public_url.startswith("https://")
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=secure, path="/")
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: Request) -> Response:
    session = current_session(request)
    await checked_form(request, session)
    await request.app.state.services.sessions.close(request.cookies[COOKIE])
    response = Redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response


@get("/alerts", include_in_schema=False)
async def alert_queue(
    request: Request,
    status: FromQuery[str | None] = "triage",
    severity: FromQuery[str | None] = None,
    source: FromQuery[str | None] = None,
    q: FromQuery[str | None] = None,
) -> Template:
    session = current_session(request)
    services = request.app.state.services
    flt = parse_filter(status or None, severity or None, source or None, None, None, q or None)
    page = services.alerts.list(flt, None, PAGE_SIZE)
    return Template(
        "alerts.html",
        context={
            "session": session,
            "page": page,
            "filters": {"status": status or "", "severity": severity or "", "source": source or "",
                        "q": q or ""},
            "statuses": STATUSES,
            "severities": SEVERITIES,
            "reasons": REASON_CODES,
            "can_write": session.principal.can("alerts:write"),
        },
    )  # fmt: skip


@post("/alerts/{alert_id:str}/dismiss", include_in_schema=False, status_code=200)
async def dismiss_alert(request: Request, alert_id: FromPath[str]) -> Response:
    session = current_session(request)
    form = await checked_form(request, session)
    if not session.principal.can("alerts:write"):
        return Response(b"not allowed", status_code=403)
    services = request.app.state.services
    try:
        alert = await services.alerts.dismiss(
            alert_id,
            DismissIn(reason_code=form.get("reason_code", "other")),
            session.principal.actor,
        )
    except DomainError as exc:
        return Response(exc.message.encode(), status_code=409)
    context = {"alert": alert, "session": session, "reasons": REASON_CODES, "can_write": True}
    return Template("alert_row.html", context=context)


def ui_router() -> Router:
    return Router(
        "/",
        route_handlers=[
            home,
            login_page,
            login,
            logout,
            alert_queue,
            dismiss_alert,
            cases.alert_detail,
            cases.escalate_alert,
            cases.case_list,
            cases.case_workspace,
            cases.add_comment,
            observables.observable_page,
            dashboard.dashboard,
            case_actions.upload_evidence,
            case_actions.download_evidence,
            case_actions.map_technique,
            case_actions.edit_case,
            case_actions.resolve_case,
            case_actions.case_report,
            settings.settings_page,
            settings.create_key,
            settings.revoke_key,
            settings.create_webhook,
            settings.ping_webhook,
            settings.install_license,
        ],
        response_headers=HEADERS,
        include_in_schema=False,
    )


static_files = create_static_files_router(
    path="/static", directories=[STATIC], name="static", include_in_schema=False,
    opt={"public": True},
)  # fmt: skip
