"""What handlers get injected: one `ctx` with the services and the authenticated principal.

One dependency on purpose: Litestar resolves several dependencies of a handler concurrently in an
anyio task group, which cost more per request than everything else in a simple handler."""

from __future__ import annotations

from typing import cast

from litestar import Request
from litestar.di import NamedDependency, Provide

from irbox.identity.principal import Actor, Principal
from irbox.services import Services


class Ctx:
    __slots__ = ("_principal", "services")

    def __init__(self, services: Services, principal: Principal | None) -> None:
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


def provide_ctx(request: Request) -> Ctx:
    principal = cast("Principal | None", request.scope.get("irbox_principal"))
    return Ctx(request.app.state.services, principal)


DEPENDENCIES = {"ctx": Provide(provide_ctx, sync_to_thread=False)}
CtxDep = NamedDependency[Ctx]
