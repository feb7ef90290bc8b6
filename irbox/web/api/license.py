"""`/license`: the org's standing (any signed-in caller, for the grace banner) and installing a
license file (admin). Both answer while the org is locked: they are how it unlocks."""

from __future__ import annotations

from litestar import get, put

from irbox.license.state import LicenseStatus
from irbox.web.deps import AnyRequest, CtxDep

LICENSE_BODY_LIMIT = 64 * 1024


@get("/license", opt={"scope": None, "lock_exempt": True}, tags=["license"], sync_to_thread=True)
def license_status(ctx: CtxDep) -> LicenseStatus:
    return ctx.services.license.status


@put(
    "/license",
    opt={"scope": "admin", "lock_exempt": True},
    tags=["license"],
    request_max_body_size=LICENSE_BODY_LIMIT,
)
async def install_license(request: AnyRequest, ctx: CtxDep) -> LicenseStatus:
    """Body: the license file as issued (`{"payload": {...}, "signature": "..."}`)."""
    return await ctx.services.license.install(await request.body(), ctx.actor)
