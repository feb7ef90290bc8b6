"""Two-factor sign-in in the UI: the code page after the password, and setting it up, renewing
recovery codes and turning it off in Settings. Codes are throttled per user (5 a minute, set in
irbox.web.app) and per client IP (as passwords) before they are checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import get, post
from litestar.response import Redirect, Template

from irbox.errors import DomainError, Unauthorized
from irbox.identity.principal import Actor
from irbox.identity.sessions import Session
from irbox.web.asgi import client_ip
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep, services_of
from irbox.web.ratelimit import RateLimiter
from irbox.web.ui.login import with_session
from irbox.web.ui.security import COOKIE, checked_form, signed_form
from irbox.web.ui.settings import render


def _pending(request: AnyRequest) -> Session | None:
    try:
        return services_of(request).sessions.find(
            request.cookies.get(COOKIE), client_ip(request.scope), mfa_pending=True
        )
    except Unauthorized:
        return None


def _code_page(session: Session, error: str | None = None, status_code: int = 200) -> Template:
    context = {"waiting": session, "error": error}
    return Template("login_code.html", context=context, status_code=status_code)


def _buckets(request: AnyRequest, session: Session) -> list[tuple[RateLimiter, str]]:
    """Where wrong codes are counted: per user, and per client IP with wrong passwords. Only
    wrong codes count, so a team signing in all at once is never held up."""
    state = request.app.state
    return [(state.code_limiter, f"code:{session.principal.user_id}"),
            (state.login_limiter, f"login:{client_ip(request.scope)}")]  # fmt: skip


@get("/login/code", include_in_schema=False)
async def code_page(request: AnyRequest) -> AnyResponse:
    session = _pending(request)
    return _code_page(session) if session else Redirect("/login")


@post("/login/code", include_in_schema=False, status_code=303)
async def check_code(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    session = _pending(request)
    if session is None:
        return Redirect("/login")
    buckets = _buckets(request, session)
    wait = max(limiter.waiting(bucket) for limiter, bucket in buckets)
    if wait:
        page = _code_page(session, f"Too many attempts; try again in {wait} s.", 429)
        page.headers["Retry-After"] = str(wait)
        return page
    form = await checked_form(request, session)
    try:
        await services.two_factor.verify(
            session.principal.user_id, form.get("code", ""), session.principal.actor
        )
    except Unauthorized as exc:
        for limiter, bucket in buckets:
            limiter.take(bucket)
        return _code_page(session, exc.message[:1].upper() + exc.message[1:] + ".", 401)
    # A new session for the signed-in user: the cookie that waited for the code is dropped.
    await services.sessions.close(request.cookies[COOKIE])
    cookie, _ = await services.sessions.open(session.principal)
    return with_session(request, Redirect("/alerts"), cookie)


@post("/settings/mfa/begin", include_in_schema=False, status_code=200)
async def begin(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    session, _ = await signed_form(request)
    try:
        await services.two_factor.begin(session.principal.user_id)
    except DomainError as exc:
        return render(request, error=exc.message)
    return Redirect("/settings#mfa", status_code=303)


@post("/settings/mfa/confirm", include_in_schema=False, status_code=200)
async def confirm(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    return await _with_code(request, services.two_factor.confirm)


@post("/settings/mfa/recovery-codes", include_in_schema=False, status_code=200)
async def new_recovery_codes(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    return await _with_code(request, services.two_factor.new_recovery_codes)


@post("/settings/mfa/off", include_in_schema=False, status_code=200)
async def turn_off(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    if services.config.require_mfa:
        return render(request, error="Two-factor sign-in is required here.")
    return await _with_code(request, services.two_factor.turn_off)


ProvenByCode = Callable[[str, str, Actor], Awaitable[list[str] | None]]


async def _with_code(request: AnyRequest, action: ProvenByCode) -> AnyResponse:
    """An action proven with a current code, throttled as sign-in codes are; the recovery
    codes it made, if any, shown once."""
    session, form = await signed_form(request)
    buckets = _buckets(request, session)
    if any(limiter.waiting(bucket) for limiter, bucket in buckets):
        return render(request, error="Too many attempts; wait a minute.")
    try:
        made = await action(
            session.principal.user_id, form.get("code", ""), session.principal.actor
        )
    except DomainError as exc:
        for limiter, bucket in buckets:
            limiter.take(bucket)
        return render(request, error="; ".join(exc.details.values()) or exc.message)
    if made:
        return render(request, recovery_codes=made)
    return Redirect("/settings#mfa", status_code=303)
