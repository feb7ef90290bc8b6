"""`/me`, `/users` (admin) and `/audit` (admin)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from irbox.api.deps import PrincipalDep, ServicesDep
from irbox.audit_log import AuditPage
from irbox.identity.users import User, UserCreate, UserCreated, UserList, UserPatch
from irbox.paging import DEFAULT_LIMIT, page_args

ADMIN = {"scope": "admin"}


class Me(User, kw_only=True):
    key_id: FromPath[str] | None
    scopes: list[str]


@get("/me", opt={"scope": None}, tags=["users"])
async def me(services: ServicesDep, principal: PrincipalDep) -> Me:
    """The caller: its user, the key in use and the scopes that key may use."""
    user = services.users.get(principal.user_id)
    fields = msgspec.structs.asdict(user)
    return Me(**fields, key_id=principal.key_id, scopes=sorted(principal.scopes))


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/", opt=ADMIN)
    async def list_users(self, services: ServicesDep) -> UserList:
        return UserList(items=services.users.list())

    @post("/", opt=ADMIN, status_code=201)
    async def create_user(
        self, data: JSONBody[UserCreate], services: ServicesDep, principal: PrincipalDep
    ) -> UserCreated:
        return await services.users.create(data, principal.actor)

    @get("/{user_id:str}", opt=ADMIN)
    async def get_user(self, user_id: FromPath[str], services: ServicesDep) -> User:
        return services.users.get(user_id)

    @patch("/{user_id:str}", opt=ADMIN)
    async def update_user(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserPatch],
        services: ServicesDep,
        principal: PrincipalDep,
    ) -> User:
        return await services.users.update(user_id, data, principal.actor)


@get("/audit", opt=ADMIN, tags=["audit"])
async def audit_log(
    services: ServicesDep,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> AuditPage:
    return services.audit.page(page_args(limit, cursor), limit)
