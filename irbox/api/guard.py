"""The one guard on every API route: authenticate the bearer token, rate-limit, check the scope.

A route declares what it needs in `opt`: `{"scope": "alerts:write"}`, several scopes as a tuple
(all needed), `{"scope": None}` (any valid token), or `{"public": True}` (no token, e.g.
/healthz). A route that declares nothing is refused, so a forgotten declaration fails closed."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from irbox.api.asgi import client_ip
from irbox.errors import Forbidden, LicenseLocked, RateLimited, Unauthorized
from irbox.identity.principal import Principal


def bearer_token(connection: ASGIConnection) -> str:
    value = connection.headers.get("authorization")
    if not value:
        raise Unauthorized("missing bearer token: send Authorization: Bearer <token>")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("malformed Authorization header: expected Bearer <token>")
    return token.strip()


async def api_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    # async on purpose: Litestar runs a sync guard in a worker thread, which costs more than
    # the cached, in-memory check below.
    opt = handler.opt
    # Litestar answers OPTIONS itself (allowed methods only); it touches no data.
    if opt.get("public") or connection.scope.get("method") == "OPTIONS":
        return
    if "scope" not in opt:
        raise RuntimeError(f"route {handler} declares no scope")
    state = connection.app.state
    if state.services.license.locked and not opt.get("lock_exempt"):
        # Before anything else: a locked org writes nothing, whoever asks.
        raise LicenseLocked("the license grace period is over; an admin must install a license")
    ip = client_ip(connection.scope)
    try:
        principal: Principal = state.services.api_keys.authenticate(bearer_token(connection), ip)
    except Unauthorized:
        _limit(state.rate_limiter, f"ip:{ip}")
        raise
    connection.scope["irbox_key_id"] = principal.key_id
    _limit(state.rate_limiter, f"key:{principal.key_id}")
    required = opt["scope"]
    for scope in (required,) if isinstance(required, str) else required or ():
        if not principal.can(scope):
            raise Forbidden(scope)
    connection.scope["irbox_principal"] = principal


def _limit(limiter, bucket: str) -> None:
    wait = limiter.take(bucket)
    if wait:
        raise RateLimited(wait)
