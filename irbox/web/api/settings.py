"""Settings read by any key and set by admins: the service-level targets, how reports are
written."""

from __future__ import annotations

from litestar import get, put
from litestar.params import JSONBody

from irbox.reports.settings import ReportSettings
from irbox.sla.targets import Targets
from irbox.web.deps import CtxDep


@get("/settings/sla", opt={"scope": None}, tags=["sla"], sync_to_thread=True)
def sla_targets(ctx: CtxDep) -> Targets:
    """Per severity: minutes to triage an alert, hours to resolve a case (null: no target)."""
    return ctx.services.sla.targets


@put("/settings/sla", opt={"scope": "admin"}, tags=["sla"], status_code=200)
async def set_sla_targets(data: JSONBody[Targets], ctx: CtxDep) -> Targets:
    """Set every severity's targets at once (a severity left out has none)."""
    return await ctx.services.sla.put(data, ctx.principal.actor)


@get("/settings/reports", opt={"scope": None}, tags=["reports"], sync_to_thread=True)
def report_settings(ctx: CtxDep) -> ReportSettings:
    """How reports are written: `defang_observables` shows URLs, domains, host names and
    addresses defanged (`hxxps://evil[.]example`)."""
    return ctx.services.report_settings.get()


@put("/settings/reports", opt={"scope": "admin"}, tags=["reports"], status_code=200)
async def set_report_settings(data: JSONBody[ReportSettings], ctx: CtxDep) -> ReportSettings:
    """For reports written from now on (a resolved case keeps its report)."""
    return await ctx.services.report_settings.put(data, ctx.principal.actor)
