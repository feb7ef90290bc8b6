"""`/alerts`: ingest (one, or a batch), list, read, dismiss, reopen, escalate."""

from __future__ import annotations

from typing import Literal

from litestar import Controller, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from irbox.alerts import batch
from irbox.alerts.filters import parse_filter
from irbox.alerts.models import Alert, AlertIn, AlertPage, BatchResult, DismissIn, IngestResult
from irbox.cases.bulk import BulkIn, BulkResult
from irbox.cases.models import EscalateIn, EscalateResult
from irbox.errors import ValidationFailed
from irbox.observables.related import RelatedPage
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.web.deps import AnyRequest, CtxDep
from irbox.web.query import joined

READ = {"scope": "alerts:read"}
WRITE = {"scope": "alerts:write"}
# 1,000 alerts of a few KiB each, read whole (not streamed): items are decoded one by one.
BATCH_BODY_LIMIT = 32 * 1024 * 1024
NDJSON = "application/x-ndjson"


class AlertsController(Controller):
    path = "/alerts"
    tags = ["alerts"]

    @post(
        "/",
        opt=WRITE,
        status_code=201,
        responses={200: ResponseSpec(IngestResult, description="a repeat, deduplicated")},
    )
    async def ingest(self, data: JSONBody[AlertIn], ctx: CtxDep) -> Response[IngestResult]:
        """Ingest an alert; idempotent on (source, external_id): a repeat answers 200."""
        result = await ctx.services.alerts.ingest(data, ctx.actor)
        return Response(result, status_code=200 if result.deduplicated else 201)

    @post("/batch", opt=WRITE, status_code=200, request_max_body_size=BATCH_BODY_LIMIT)
    async def ingest_batch(self, request: AnyRequest, ctx: CtxDep) -> BatchResult:
        """1 to 1,000 alerts, as a JSON array or as NDJSON (`application/x-ndjson`, one alert a
        line), stored in one durable commit; each item is answered as a single ingest would
        answer it, or with its own error."""
        media = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if media not in ("application/json", NDJSON):
            raise ValidationFailed(
                "unsupported content type", {"content-type": f"application/json or {NDJSON}"}
            )
        items = batch.parse(await request.body(), ndjson=media == NDJSON)
        return await ctx.services.alerts.ingest_batch(items, ctx.actor)

    @post("/bulk", opt=WRITE, status_code=200)
    async def bulk(self, data: JSONBody[BulkIn], ctx: CtxDep) -> BulkResult:
        """Dismiss, escalate (also needs cases:write) or tag up to 10,000 alerts, named by `ids`
        or by `filter` (the list's filters); each alert on its own, failures listed."""
        return await ctx.services.bulk.run(data, ctx.principal)

    @get("/", opt=READ, sync_to_thread=True)
    def list_alerts(
        self,
        ctx: CtxDep,
        status: FromQuery[list[str] | None] = None,
        severity: FromQuery[list[str] | None] = None,
        source: FromQuery[list[str] | None] = None,
        tag: FromQuery[list[str] | None] = None,
        since: FromQuery[str | None] = None,
        until: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        sort: FromQuery[Literal["time", "severity"]] = "time",
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> AlertPage:
        """`sort=time` (default): newest first; `sort=severity`: most severe first, newest
        first within a severity. A cursor continues the order it came from."""
        page_args(limit, None)
        flt = parse_filter(
            joined(status), joined(severity), joined(source), since, until, q, joined(tag), sort
        )
        return ctx.services.alerts.page(flt, cursor, limit)

    @get("/{alert_id:str}", opt=READ, sync_to_thread=True)
    def get_alert(self, alert_id: FromPath[str], ctx: CtxDep) -> Alert:
        return ctx.services.alerts.get(alert_id)

    @get(
        "/{alert_id:str}/related",
        opt={"scope": ("alerts:read", "cases:read")},
        sync_to_thread=True,
    )
    def related(
        self,
        alert_id: FromPath[str],
        ctx: CtxDep,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> RelatedPage:
        """Alerts in triage and open cases sharing an observable or the asset's host name with
        this alert, each with what it shares; those sharing most first."""
        return ctx.services.related.related(alert_id, limit, cursor)

    @post("/{alert_id:str}/dismiss", opt=WRITE, status_code=200)
    async def dismiss(
        self,
        alert_id: FromPath[str],
        data: JSONBody[DismissIn],
        ctx: CtxDep,
    ) -> Alert:
        return await ctx.services.alerts.dismiss(alert_id, data, ctx.actor)

    @post(
        "/{alert_id:str}/escalate",
        opt={"scope": ("alerts:write", "cases:write")},
        status_code=200,
        responses={201: ResponseSpec(EscalateResult, description="escalated into a new case")},
    )
    async def escalate(
        self, alert_id: FromPath[str], data: JSONBody[EscalateIn], ctx: CtxDep
    ) -> Response[EscalateResult]:
        """Into a new case (`case_id: null`, answers 201) or onto an open case (200)."""
        result = await ctx.services.escalation.escalate(alert_id, data, ctx.actor)
        return Response(result, status_code=201 if result.created else 200)

    @post("/{alert_id:str}/reopen", opt=WRITE, status_code=200)
    async def reopen(self, alert_id: FromPath[str], ctx: CtxDep) -> Alert:
        return await ctx.services.alerts.reopen(alert_id, ctx.actor)
