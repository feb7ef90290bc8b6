"""The service-level targets: read by any key, set by admins."""

from __future__ import annotations

from litestar import get, put
from litestar.params import JSONBody

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
