"""`GET /metrics`: the Prometheus text format, for a key with `metrics:read` (or, without a
token, on `metrics_listen` when it is set)."""

from __future__ import annotations

from litestar import Response, get

from irbox.operations.metrics import CONTENT_TYPE
from irbox.web.deps import CtxDep
from irbox.web.guard import api_guard


@get(
    "/metrics",
    opt={"scope": "metrics:read"},
    guards=[api_guard],
    tags=["operations"],
    sync_to_thread=True,  # the standing figures are read from storage when scraped
    media_type=CONTENT_TYPE,
)
def metrics(ctx: CtxDep) -> Response[bytes]:
    return Response(ctx.services.metrics.exposition(), media_type=CONTENT_TYPE)
