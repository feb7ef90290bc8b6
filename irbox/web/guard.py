"""The one guard on every API route: authenticate the bearer token, rate-limit, check the scope.

A route declares what it needs in `opt`: `{"scope": "alerts:write"}`, several scopes as a tuple
(all needed), `{"scope": None}` (any valid token), or `{"public": True}` (no token, e.g.
/healthz). A route that declares nothing is refused, so a forgotten declaration fails closed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from litestar.connection import ASGIConnection
from litestar.datastructures import State
from litestar.handlers.base import BaseRouteHandler

from irbox.errors import Forbidden, LicenseLocked, RateLimited, Unauthorized
from irbox.identity.principal import Principal
from irbox.web.asgi import Scope, client_ip, header
from irbox.web.ratelimit import RateLimiter

# Set on the ASGI scope once the request has taken its rate-limit token, so that a request the
# ingest fast path hands on to its Litestar route is not charged twice.
RATE_TAKEN = "irbox_rate_taken"
# Set once every check has passed for the request's route.
AUTHORIZED = "irbox_authorized"


def bearer_token(scope: Scope) -> str:
    value = header(scope, b"authorization")
    if not value:
        raise Unauthorized("missing bearer token: send Authorization: Bearer <token>")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("malformed Authorization header: expected Bearer <token>")
    return token.strip()


async def api_guard(
    connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler
) -> None:
    # async on purpose: Litestar runs a sync guard in a worker thread, which costs more than
    # the cached, in-memory check below.
    authorize(connection.app.state, handler.opt, cast(Scope, connection.scope))


def authorize(state: State, opt: Mapping[str, Any], scope: Scope) -> None:
    """Check the request `scope` against a route's `opt`, in the spec's order (authentication,
    scope/role, license lock, rate limit); on success the scope carries the principal
    (`irbox_principal`) and its key id (`irbox_key_id`, for the request log). A request already
    authorized (by `gate.RefuseBeforeReading`, from its headers alone) is not checked twice."""
    # Litestar answers OPTIONS itself (allowed methods only); it touches no data.
    if opt.get("public") or scope.get("method") == "OPTIONS" or AUTHORIZED in scope:
        return
    if "scope" not in opt:
        raise RuntimeError(f"a route at {scope.get('path')} declares no scope")
    ip = client_ip(scope)
    try:
        principal: Principal = state.services.api_keys.authenticate(bearer_token(scope), ip)
    except Unauthorized:
        _limit(state.rate_limiter, f"ip:{ip}", scope)
        raise
    scope["irbox_key_id"] = principal.key_id
    required = opt["scope"]
    for name in (required,) if isinstance(required, str) else required or ():
        if not principal.can(name):
            raise Forbidden(name)
    if state.services.license.locked and not opt.get("lock_exempt"):
        # A locked org writes nothing and shows nothing but its license, whoever asks.
        raise LicenseLocked("the license grace period is over; an admin must install a license")
    _limit(state.rate_limiter, f"key:{principal.key_id}", scope)
    scope["irbox_principal"] = principal
    scope[AUTHORIZED] = True


def _limit(limiter: RateLimiter, bucket: str, scope: Scope) -> None:
    if scope.get(RATE_TAKEN):
        return
    wait = limiter.take(bucket)
    if wait:
        raise RateLimited(wait)
    scope[RATE_TAKEN] = True
