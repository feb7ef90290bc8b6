"""`/me`, `/users` (admin) and `/audit` (admin)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, patch, post

from irbox.audit_log import AuditPage
from irbox.identity.principal import Principal
from irbox.identity.users import User, UserCreate, UserCreated, UserList, UserPatch
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.services import Services

ADMIN = {"scope": "admin"}


class Me(User, kw_only=True):
    key_id: str | None
    scopes: list[str]


@get("/me", opt={"scope": None}, tags=["users"])
async def me(services: Services, principal: Principal) -> Me:
    """The caller: its user, the key in use and the scopes that key may use."""
    user = services.users.get(principal.user_id)
    fields = msgspec.structs.asdict(user)
    return Me(**fields, key_id=principal.key_id, scopes=sorted(principal.scopes))


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/", opt=ADMIN)
    async def list_users(self, services: Services) -> UserList:
        return UserList(items=services.users.list())

    @post("/", opt=ADMIN, status_code=201)
    async def create_user(
        self, data: UserCreate, services: Services, principal: Principal
    ) -> UserCreated:
        return await services.users.create(data, principal.actor)

    @get("/{user_id:str}", opt=ADMIN)
    async def get_user(self, user_id: str, services: Services) -> User:
        return services.users.get(user_id)

    @patch("/{user_id:str}", opt=ADMIN)
    async def update_user(
        self, user_id: str, data: UserPatch, services: Services, principal: Principal
    ) -> User:
        return await services.users.update(user_id, data, principal.actor)


@get("/audit", opt=ADMIN, tags=["audit"])
async def audit_log(
    services: Services, limit: int = DEFAULT_LIMIT, cursor: str | None = None
) -> AuditPage:
    return services.audit.page(page_args(limit, cursor), limit)
