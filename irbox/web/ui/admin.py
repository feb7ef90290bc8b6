"""UI for admins: users (create, role, disable) in Settings, and the audit log."""

from __future__ import annotations

from typing import Any

from litestar import get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from irbox.errors import DomainError
from irbox.identity.users import UserCreate, UserPatch
from irbox.paging import decode_cursor
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep
from irbox.web.ui.formats import names_of
from irbox.web.ui.security import session_with, signed_form
from irbox.web.ui.settings import render

AUDIT_PAGE = 100


def _problem(exc: DomainError) -> str:
    return "; ".join(exc.details.values()) or exc.message


@post("/settings/users", include_in_schema=False, status_code=200)
async def create_user(request: AnyRequest, services: ServicesDep) -> Template:
    """A password left blank is generated and shown once, for the admin to hand over."""
    session, form = await signed_form(request, "admin")
    data = UserCreate(
        email=form.get("email", "").strip(),
        role=form.get("role", ""),
        name=form.get("name", "").strip(),
        password=form.get("password") or None,
    )
    try:
        created = await services.users.create(data, session.principal.actor)
    except DomainError as exc:
        return render(request, error=_problem(exc))
    if created.password is None:
        return render(request, shown={"label": f"User {created.user.email} created", "secret": ""})
    label = f"password for {created.user.email}"
    return render(request, shown={"label": label, "secret": created.password})


@post("/settings/users/{user_id:str}", include_in_schema=False, status_code=303)
async def update_user(
    request: AnyRequest, services: ServicesDep, user_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "admin")
    patch = UserPatch(role=form.get("role", ""), disabled=form.get("disabled") == "on")
    try:
        await services.users.update(user_id, patch, session.principal.actor)
    except DomainError as exc:
        return render(request, error=_problem(exc))
    return Redirect("/settings#users")


@post("/settings/users/{user_id:str}/password", include_in_schema=False, status_code=200)
async def new_password(
    request: AnyRequest, services: ServicesDep, user_id: FromPath[str]
) -> Template:
    """For a user who forgot theirs: a generated password, shown once to hand over; the user's
    sessions end. (One's own password is changed with the current one, under Your password.)"""
    session, _ = await signed_form(request, "admin")
    users = services.users
    email = users.get(user_id).email
    password = await users.set_password(email, None, session.principal.actor)
    return render(request, shown={"label": f"new password for {email}", "secret": password})


@get("/settings/audit", include_in_schema=False, sync_to_thread=True)
def audit_log(
    request: AnyRequest, services: ServicesDep, cursor: FromQuery[str | None] = None
) -> Template:
    session = session_with(request, "admin")
    try:
        page = services.audit.page(decode_cursor(cursor), AUDIT_PAGE)
    except DomainError as exc:
        refused = {"session": session, "page": None, "error": _problem(exc)}
        return Template("audit.html", context=refused, status_code=400)
    context: dict[str, Any] = {
        "session": session,
        "page": page,
        "error": None,
        "names": names_of(services.users.list()),
        "keys": {k.id: k.name for k in services.api_keys.list(None)},
    }
    return Template("audit.html", context=context)
