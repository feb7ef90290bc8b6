"""`/observables`: search the index, manage suppressions; `/stats` for the dashboard."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from irbox.alerts.covered import Covered
from irbox.dashboard.figures import Stats
from irbox.observables.search import SearchResult
from irbox.observables.suppression import SuppressIn, Suppression, SuppressionPage
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.web.deps import CtxDep

READ = {"scope": "observables:read"}
WRITE = {"scope": "observables:write"}


class ObservablesController(Controller):
    path = "/observables"
    tags = ["observables"]

    @get("/search", opt=READ, sync_to_thread=True)
    def search(
        self,
        ctx: CtxDep,
        value: FromQuery[str],
        type: FromQuery[str | None] = None,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> SearchResult:
        """Every alert and case touching one observable (the value is refanged and normalised
        first). Without `type` (or with `auto`), the type is detected from the value."""
        return ctx.services.observables.search(type, value, limit, cursor)

    @post("/suppress", opt=WRITE, status_code=201)
    async def suppress(self, data: JSONBody[SuppressIn], ctx: CtxDep) -> Suppression:
        return await ctx.services.suppressions.create(data, ctx.actor)

    @get("/suppressions/{suppression_id:str}/covered", opt=READ, sync_to_thread=True)
    def covered(self, suppression_id: FromPath[str], ctx: CtxDep) -> Covered:
        """How many alerts in triage the suppression covers now (its observable and scope)."""
        return ctx.services.covered.count(suppression_id)

    @post(
        "/suppressions/{suppression_id:str}/dismiss-covered",
        opt={"scope": ("observables:write", "alerts:write")},
        status_code=200,
    )
    async def dismiss_covered(self, suppression_id: FromPath[str], ctx: CtxDep) -> Covered:
        """Dismiss them all, reason `suppressed` (at most 10,000 at once)."""
        return await ctx.services.covered.dismiss(suppression_id, ctx.actor)

    @get("/suppressions", opt=READ, sync_to_thread=True)
    def list_suppressions(
        self,
        ctx: CtxDep,
        active: FromQuery[bool] = False,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> SuppressionPage:
        """Newest first; `?active=true` leaves out lifted and expired ones."""
        return ctx.services.suppressions.page(active, page_args(limit, cursor), limit)

    @delete("/suppressions/{suppression_id:str}", opt=WRITE, status_code=200)
    async def lift(self, suppression_id: FromPath[str], ctx: CtxDep) -> Suppression:
        return await ctx.services.suppressions.lift(suppression_id, ctx.actor)


@get("/stats", opt={"scope": "alerts:read"}, tags=["stats"], sync_to_thread=True)
def dashboard_stats(ctx: CtxDep, window: FromQuery[str] = "30d") -> Stats:
    """Top observables, alert volume per day, time to triage and to resolve."""
    return ctx.services.dashboard.figures(window)
