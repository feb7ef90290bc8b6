"""`/me`, `/users` (admin) and `/audit` (admin)."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, patch, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from irbox.audit.log import AuditPage
from irbox.identity.users import User, UserCreate, UserCreated, UserList, UserPatch
from irbox.notifications.inbox import Marked, MarkRead, NotificationPage
from irbox.notifications.subscriptions import Subscriptions
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.web.deps import CtxDep

ADMIN = {"scope": "admin"}


class Me(User, kw_only=True):
    key_id: FromPath[str] | None
    scopes: list[str]


@get("/me", opt={"scope": None}, tags=["users"], sync_to_thread=True)
def me(ctx: CtxDep) -> Me:
    """The caller: its user, the key in use and the scopes that key may use."""
    user = ctx.services.users.get(ctx.principal.user_id)
    fields = msgspec.structs.asdict(user)
    return Me(**fields, key_id=ctx.principal.key_id, scopes=sorted(ctx.principal.scopes))


class UsersController(Controller):
    path = "/users"
    tags = ["users"]

    @get("/", opt=ADMIN, sync_to_thread=True)
    def list_users(self, ctx: CtxDep) -> UserList:
        return UserList(items=ctx.services.users.list())

    @post("/", opt={**ADMIN, "withheld_on_replay": ("password",)}, status_code=201)
    async def create_user(self, data: JSONBody[UserCreate], ctx: CtxDep) -> UserCreated:
        return await ctx.services.users.create(data, ctx.actor)

    @get("/{user_id:str}", opt=ADMIN, sync_to_thread=True)
    def get_user(self, user_id: FromPath[str], ctx: CtxDep) -> User:
        return ctx.services.users.get(user_id)

    @patch("/{user_id:str}", opt=ADMIN)
    async def update_user(
        self,
        user_id: FromPath[str],
        data: JSONBody[UserPatch],
        ctx: CtxDep,
    ) -> User:
        return await ctx.services.users.update(user_id, data, ctx.actor)


@get("/audit", opt=ADMIN, tags=["audit"], sync_to_thread=True)
def audit_log(
    ctx: CtxDep,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> AuditPage:
    return ctx.services.audit.page(page_args(limit, cursor), limit)


@get("/me/notifications", opt={"scope": "cases:read"}, tags=["users"], sync_to_thread=True)
def my_notifications(
    ctx: CtxDep,
    unread: FromQuery[bool] = False,
    limit: FromQuery[int] = DEFAULT_LIMIT,
    cursor: FromQuery[str | None] = None,
) -> NotificationPage:
    """Mentions of the caller, newest first; `?unread=true` for unread ones. Each names a case
    (its number and title), so the key needs `cases:read`, as the case itself does."""
    before = page_args(limit, cursor)
    return ctx.services.notifications.page(ctx.principal.user_id, unread, before, limit)


@post("/me/notifications/read", opt={"scope": None}, tags=["users"], status_code=200)
async def mark_notifications_read(data: JSONBody[MarkRead], ctx: CtxDep) -> Marked:
    """Mark the given notification ids (or, without `ids`, all of them) read."""
    return await ctx.services.notifications.mark_read(ctx.principal.user_id, data)


@get("/me/subscriptions", opt={"scope": None}, tags=["users"], sync_to_thread=True)
def my_subscriptions(ctx: CtxDep) -> Subscriptions:
    """What the caller's user is mailed about (the defaults until they choose)."""
    return ctx.services.subscriptions.get(ctx.principal.user_id)


@put("/me/subscriptions", opt={"scope": None}, tags=["users"], status_code=200)
async def set_my_subscriptions(data: JSONBody[Subscriptions], ctx: CtxDep) -> Subscriptions:
    """Choose what the caller's user is mailed about; fields left out take their defaults."""
    return await ctx.services.subscriptions.put(ctx.principal.user_id, data, ctx.principal.actor)
