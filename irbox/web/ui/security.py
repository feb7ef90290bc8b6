"""What every UI page needs: the signed-in session (else to the sign-in page), the CSRF check on
every form, and a strict Content-Security-Policy (no inline script, no eval, nothing remote)."""

from __future__ import annotations

import hmac
from functools import partial

from litestar import Response
from litestar.datastructures import ResponseHeader
from litestar.response import Redirect, Template

from irbox.errors import DomainError, Unauthorized
from irbox.identity.sessions import Session
from irbox.web.asgi import client_ip
from irbox.web.deps import AnyRequest, AnyResponse, services_of
from irbox.web.errors import status_of

COOKIE = "irbox_session"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
    " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'none'"
)
HEADERS = [
    ResponseHeader(name="Content-Security-Policy", value=CSP),
    ResponseHeader(name="X-Content-Type-Options", value="nosniff"),
    ResponseHeader(name="Referrer-Policy", value="same-origin"),
    ResponseHeader(name="X-Frame-Options", value="DENY"),
    ResponseHeader(name="Cache-Control", value="no-store"),
]


class LoginRequired(Exception):
    """No valid session: the page answers with the sign-in page instead."""


class Locked(Exception):
    """The license grace period is over: every page but the license upload shows the lock."""

    def __init__(self, session: Session) -> None:
        self.session = session


class PasswordChangeRequired(Exception):
    """Signed in with the password irbox generated: Settings asks for one of the user's own."""


# What a user who must change their password may still reach.
_BEFORE_THE_CHANGE = ("/settings", "/settings/password", "/logout")
# What a user who must set up two-factor sign-in (`require_mfa`) may still reach.
_BEFORE_THE_SECOND_FACTOR = (*_BEFORE_THE_CHANGE, "/settings/mfa/begin", "/settings/mfa/confirm")


class SecondFactorRequired(Exception):
    """`require_mfa` is set and the user has no second factor: Settings asks for one."""


class CsrfRejected(Exception):
    """A form without the session's CSRF token: refused, nothing done."""


class NotAllowed(Exception):
    """The signed-in user's role does not allow this: refused, nothing done (the pages hide
    such controls; this answers a form sent anyway)."""


def current_session(request: AnyRequest, lock_exempt: bool = False) -> Session:
    services = services_of(request)
    try:
        session = services.sessions.find(request.cookies.get(COOKIE), client_ip(request.scope))
    except Unauthorized:
        raise LoginRequired from None
    session.license = services.license.status
    session.unread = partial(services.notifications.unread_count, session.principal.user_id)
    path = request.scope["path"]
    if session.must_change_password and path not in _BEFORE_THE_CHANGE:
        raise PasswordChangeRequired
    if session.must_set_up_mfa and path not in _BEFORE_THE_SECOND_FACTOR:
        raise SecondFactorRequired
    if session.license.locked and not lock_exempt:
        raise Locked(session)
    return session


def session_with(request: AnyRequest, *scopes: str, lock_exempt: bool = False) -> Session:
    """The signed-in session, if its role allows every one of `scopes`; else NotAllowed."""
    session = current_session(request, lock_exempt)
    if not all(session.principal.can(scope) for scope in scopes):
        raise NotAllowed
    return session


async def checked_form(request: AnyRequest, session: Session) -> dict[str, str]:
    """The submitted form, after checking its CSRF token (field or htmx header)."""
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    if not hmac.compare_digest(str(sent), session.csrf):
        raise CsrfRejected
    return {k: str(v) for k, v in form.items()}


async def signed_form(request: AnyRequest, *scopes: str) -> tuple[Session, dict[str, str]]:
    """What a form handler starts with: the session, which must allow `scopes`, and the form
    it sent, its CSRF token checked."""
    session = session_with(request, *scopes)
    return session, await checked_form(request, session)


def to_login(request: AnyRequest, _: LoginRequired) -> AnyResponse:
    if request.headers.get("hx-request"):  # htmx follows this header with a full page load
        return Response(b"", status_code=401, headers={"HX-Redirect": "/login"})
    return Redirect("/login")


def to_password_change(request: AnyRequest, _: PasswordChangeRequired) -> AnyResponse:
    return _to_settings(request, "#password")


def to_second_factor(request: AnyRequest, _: SecondFactorRequired) -> AnyResponse:
    return _to_settings(request, "#mfa")


def _to_settings(request: AnyRequest, part: str) -> AnyResponse:
    if request.headers.get("hx-request"):
        return Response(b"", status_code=401, headers={"HX-Redirect": "/settings" + part})
    return Redirect("/settings" + part)


def csrf_rejected(_: AnyRequest, __: CsrfRejected) -> AnyResponse:
    body = b"This form has expired or did not come from irbox. Reload the page and try again."
    return Response(body, status_code=403, media_type="text/plain")


def not_allowed(_: AnyRequest, __: NotAllowed) -> AnyResponse:
    body = b"Your role does not allow this."
    return Response(body, status_code=403, media_type="text/plain")


def refused(_: AnyRequest, exc: DomainError) -> AnyResponse:
    """A form the service refused (unknown case, wrong state, bad value): what is wrong, as
    text, with the status the API gives the same error."""
    body = "; ".join([exc.message, *(f"{k}: {v}" for k, v in exc.details.items())])
    return Response(body.encode(), status_code=status_of(exc), media_type="text/plain")


def locked_page(_: AnyRequest, exc: Locked) -> Template:
    return Template("locked.html", context={"session": exc.session}, status_code=423)


HANDLERS = {
    LoginRequired: to_login,
    PasswordChangeRequired: to_password_change,
    SecondFactorRequired: to_second_factor,
    CsrfRejected: csrf_rejected,
    NotAllowed: not_allowed,
    Locked: locked_page,
}
