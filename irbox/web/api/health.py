"""Unauthenticated routes: `/healthz` (never rate limited; 200 while SQLite works, else 503)
and the OpenAPI document."""

from __future__ import annotations

from typing import Any, cast

from litestar import Response, get, head
from litestar.openapi.datastructures import ResponseSpec

from irbox.operations.health import Health
from irbox.web.api import API_PREFIX
from irbox.web.api.openapi import document
from irbox.web.deps import AnyRequest, CtxDep

PATHS = ["/healthz", f"{API_PREFIX}/healthz"]


@get(
    PATHS,
    opt={"public": True},
    tags=["health"],
    cache=False,
    responses={503: ResponseSpec(Health, description="SQLite is unusable")},
)
async def healthz(ctx: CtxDep) -> Response[Health]:
    report = ctx.services.health.report()
    return Response(report, status_code=_status(report))


@head(PATHS, opt={"public": True}, include_in_schema=False)
async def healthz_head(ctx: CtxDep) -> Response[None]:
    """The same answer without a body, for probes that ask with HEAD."""
    return Response(None, status_code=_status(ctx.services.health.report()))


def _status(report: Health) -> int:
    return 200 if report.db == "ok" else 503


@get(
    f"{API_PREFIX}/openapi.json",
    opt={"public": True},
    include_in_schema=False,
    sync_to_thread=False,
)
def openapi_json(request: AnyRequest) -> dict[str, Any]:
    state = request.app.state
    if "openapi" not in state:  # built once: the routes do not change while serving
        state.openapi = document(request.app)
    return cast(dict[str, Any], state.openapi)
