"""Sign-in and sign-out. The sign-in form has its own CSRF token (double submit: a short-lived
cookie and the same value in the form), so no other site can sign a browser into an account
of its choosing; attempts are throttled per client IP before anything else is looked at. A
user with two-factor sign-in gets, for the password, a session that reaches only the code page
(irbox.web.ui.two_factor)."""

from __future__ import annotations

import hmac
import secrets

from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from irbox.errors import RateLimited, Unauthorized
from irbox.identity.directory import DirectoryUnavailable, NotInAGroup
from irbox.web.asgi import client_ip
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep, services_of
from irbox.web.ui.security import COOKIE, signed_form

LOGIN_COOKIE = "irbox_login"
LOGIN_TOKEN_S = 3600


def _secure(request: AnyRequest) -> bool:
    return services_of(request).config.public_url.startswith("https://")


def _form(
    request: AnyRequest, error: str | None = None, status_code: int = 200, notice: str | None = None
) -> Template:
    """The sign-in page with a fresh token, in the form and in its cookie."""
    token = secrets.token_urlsafe(32)
    context = {"error": error, "notice": notice, "login_token": token}
    page = Template("login.html", context=context, status_code=status_code)
    page.set_cookie(LOGIN_COOKIE, token, httponly=True, samesite="strict", secure=_secure(request),
                    path="/login", max_age=LOGIN_TOKEN_S)  # fmt: skip
    return page


def _too_many(request: AnyRequest, retry_after: int) -> Template:
    page = _form(request, f"Too many attempts; try again in {retry_after} s.", 429)
    page.headers["Retry-After"] = str(retry_after)
    return page


@get("/login", include_in_schema=False)
async def login_page(request: AnyRequest, changed: FromQuery[str] = "") -> Template:
    notice = "Your password was changed: sign in with the new one." if changed else None
    return _form(request, notice=notice)


@post("/login", include_in_schema=False, status_code=303)
async def login(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    state = request.app.state
    ip = client_ip(request.scope)
    wait = state.login_limiter.take(f"login:{ip}")
    if wait:
        return _too_many(request, wait)
    form = await request.form()
    sent, expected = str(form.get("login_token", "")), request.cookies.get(LOGIN_COOKIE, "")
    if not expected or not hmac.compare_digest(sent, expected):
        return _form(request, "This sign-in form has expired; please try again.", 403)
    try:
        principal = await services.users.sign_in(
            str(form.get("email", "")), str(form.get("password", "")), ip
        )
    except Unauthorized:
        return _form(request, "Wrong email or password.", 401)
    except DirectoryUnavailable:
        return _form(request, "The directory cannot be reached now, so directory accounts cannot"
                              " sign in; local accounts can. The log says why.", 503)  # fmt: skip
    except NotInAGroup:
        return _form(request, "Your directory account is in no group that gives access to"
                              " irbox: ask an admin.", 403)  # fmt: skip
    except RateLimited as exc:
        return _too_many(request, exc.retry_after)
    if services.two_factor.enabled(principal.user_id):  # the code next, on a page of its own
        cookie, _ = await services.sessions.open(principal, mfa_pending=True)
        return with_session(request, Redirect("/login/code"), cookie)
    cookie, _ = await services.sessions.open(principal)
    return with_session(request, Redirect("/alerts"), cookie)


def with_session(request: AnyRequest, response: Redirect, cookie: str) -> Redirect:
    """`response`, setting the session cookie (and dropping the sign-in form's)."""
    response.set_cookie(COOKIE, cookie, httponly=True, samesite="strict", secure=_secure(request),
                        path="/")  # fmt: skip
    response.delete_cookie(LOGIN_COOKIE, path="/login")
    return response


@post("/logout", include_in_schema=False, status_code=303)
async def logout(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    await signed_form(request)
    await services.sessions.close(request.cookies[COOKIE])
    response = Redirect("/login")
    response.delete_cookie(COOKIE, path="/")
    return response
