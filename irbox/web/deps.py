"""What handlers get injected: one `ctx` with the services and the authenticated principal.

One dependency on purpose: Litestar resolves several dependencies of a handler concurrently in an
anyio task group, which cost more per request than everything else in a simple handler."""

from __future__ import annotations

from typing import Any, TypeAlias, cast

from litestar import Request, Response
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from irbox.identity.principal import Actor, Principal
from irbox.services import ServerServices

# What handlers are handed and hand back, typed once: no user or auth objects ride on requests
# here (the principal is in the scope), and an answer may carry any content.
AnyRequest: TypeAlias = Request[Any, Any, State]
AnyResponse: TypeAlias = Response[Any]


class Ctx:
    __slots__ = ("_principal", "services")

    def __init__(self, services: ServerServices, principal: Principal | None) -> None:
        self.services = services
        self._principal = principal

    @property
    def principal(self) -> Principal:
        if self._principal is None:  # only public routes have none, and they never ask
            raise RuntimeError("no authenticated principal on this route")
        return self._principal

    @property
    def actor(self) -> Actor:
        return self.principal.actor


def services_of(request: AnyRequest) -> ServerServices:
    """The serving process's services (the app's lifespan builds them), typed; UI handlers
    get them injected as `services`, helpers that hold only the request call this."""
    return cast(ServerServices, request.app.state.services)


def provide_ctx(request: AnyRequest) -> Ctx:
    principal = cast("Principal | None", request.scope.get("irbox_principal"))
    return Ctx(services_of(request), principal)


DEPENDENCIES = {
    "ctx": Provide(provide_ctx, sync_to_thread=False),
    "services": Provide(services_of, sync_to_thread=False),
}
CtxDep = NamedDependency[Ctx]
ServicesDep = NamedDependency[ServerServices]
