"""`/alerts`: ingest, list, read, dismiss, reopen."""

from __future__ import annotations

from litestar import Controller, Response, get, post

from irbox.alerts.models import Alert, AlertIn, AlertPage, DismissIn, IngestResult
from irbox.alerts.service import parse_filter
from irbox.identity.principal import Principal
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.services import Services

READ = {"scope": "alerts:read"}
WRITE = {"scope": "alerts:write"}


class AlertsController(Controller):
    path = "/alerts"
    tags = ["alerts"]

    @post("/", opt=WRITE, status_code=201)
    async def ingest(
        self, data: AlertIn, services: Services, principal: Principal
    ) -> Response[IngestResult]:
        """Ingest an alert; idempotent on (source, external_id): a repeat answers 200."""
        result = await services.alerts.ingest(data, principal.actor)
        return Response(result, status_code=200 if result.deduplicated else 201)

    @get("/", opt=READ)
    async def list_alerts(
        self,
        services: Services,
        status: str | None = None,
        severity: str | None = None,
        source: str | None = None,
        since: str | None = None,
        until: str | None = None,
        q: str | None = None,
        limit: int = DEFAULT_LIMIT,
        cursor: str | None = None,
    ) -> AlertPage:
        before = page_args(limit, cursor)
        flt = parse_filter(status, severity, source, since, until, q)
        return services.alerts.list(flt, before, limit)

    @get("/{alert_id:str}", opt=READ)
    async def get_alert(self, alert_id: str, services: Services) -> Alert:
        return services.alerts.get(alert_id)

    @post("/{alert_id:str}/dismiss", opt=WRITE, status_code=200)
    async def dismiss(
        self, alert_id: str, data: DismissIn, services: Services, principal: Principal
    ) -> Alert:
        return await services.alerts.dismiss(alert_id, data, principal.actor)

    @post("/{alert_id:str}/reopen", opt=WRITE, status_code=200)
    async def reopen(self, alert_id: str, services: Services, principal: Principal) -> Alert:
        return await services.alerts.reopen(alert_id, principal.actor)
