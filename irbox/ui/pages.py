"""UI pages: sign-in and sign-out, and the router that gathers every page."""

from __future__ import annotations

from pathlib import Path

from litestar import Request, Response, Router, get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template
from litestar.static_files import create_static_files_router

from irbox.api.asgi import client_ip
from irbox.errors import Unauthorized
from irbox.ui import (
    admin,
    case_actions,
    cases,
    dashboard,
    notifications,
    observables,
    queue,
    settings,
)
from irbox.ui.security import COOKIE, HEADERS, checked_form, current_session

STATIC = Path(__file__).parent / "static"


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


def ui_router() -> Router:
    return Router(
        "/",
        route_handlers=[
            home,
            login_page,
            login,
            logout,
            queue.alert_queue,
            queue.alert_rows,
            queue.dismiss_alert,
            queue.bulk_dismiss,
            queue.reopen_alert,
            cases.alert_detail,
            cases.escalate_alert,
            cases.case_list,
            cases.case_workspace,
            cases.add_comment,
            cases.preview_comment,
            observables.observable_page,
            observables.suppress,
            observables.lift,
            notifications.notifications_page,
            notifications.mark_read,
            admin.create_user,
            admin.update_user,
            admin.audit_log,
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
            settings.redeliver,
            settings.install_license,
        ],
        response_headers=HEADERS,
        include_in_schema=False,
    )


static_files = create_static_files_router(
    path="/static", directories=[STATIC], name="static", include_in_schema=False,
    opt={"public": True},
)  # fmt: skip
