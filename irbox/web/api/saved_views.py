"""`/me/views`: the caller's saved queue views (named filters), any key of the user's."""

from __future__ import annotations

from litestar import delete, get, post
from litestar.params import FromPath, JSONBody

from irbox.alerts.saved_views import SavedView, SavedViewIn, SavedViewList
from irbox.web.deps import CtxDep

OWN = {"scope": None}


@get("/me/views", opt=OWN, tags=["users"], sync_to_thread=True)
def my_views(ctx: CtxDep) -> SavedViewList:
    """The caller's saved views, in the order saved."""
    return ctx.services.saved_views.list(ctx.principal.user_id)


@post("/me/views", opt=OWN, tags=["users"], status_code=201)
async def save_my_view(data: JSONBody[SavedViewIn], ctx: CtxDep) -> SavedView:
    """Name the queue's filters (`status`, `severity`, `source`, `tag`, `q`, `sort`, as
    `GET /alerts` takes them); at most 20 views a user, names unique."""
    return await ctx.services.saved_views.save(ctx.principal.user_id, data, ctx.principal.actor)


@delete("/me/views/{view_id:str}", opt=OWN, tags=["users"], status_code=200)
async def delete_my_view(view_id: FromPath[str], ctx: CtxDep) -> SavedView:
    """The view as it was; 404 for another user's."""
    return await ctx.services.saved_views.delete(
        ctx.principal.user_id, view_id, ctx.principal.actor
    )
