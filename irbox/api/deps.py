"""Dependencies injected into handlers: the services and the authenticated principal."""

from __future__ import annotations

from litestar import Request
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from irbox.identity.principal import Principal
from irbox.services import Services


def provide_services(state: State) -> Services:
    return state.services


def provide_principal(request: Request) -> Principal:
    return request.state.principal


DEPENDENCIES = {
    "services": Provide(provide_services, sync_to_thread=False),
    "principal": Provide(provide_principal, sync_to_thread=False),
}

# Handler parameters name their dependencies explicitly (Litestar 3 drops inferred ones).
ServicesDep = NamedDependency[Services]
PrincipalDep = NamedDependency[Principal]
