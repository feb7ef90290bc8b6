"""UI: a user's notifications (mentions), newest first, and marking them read."""

from __future__ import annotations

from litestar import get, post
from litestar.params import FromQuery
from litestar.response import Redirect, Template

from irbox.errors import DomainError
from irbox.notifications.inbox import MarkRead
from irbox.paging import decode_cursor
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep
from irbox.web.ui.security import session_with, signed_form

PAGE = 50


@get("/notifications", include_in_schema=False, sync_to_thread=True)
def notifications_page(
    request: AnyRequest, services: ServicesDep, cursor: FromQuery[str | None] = None
) -> Template:
    session = session_with(request, "cases:read")
    service = services.notifications
    try:
        page = service.page(session.principal.user_id, False, decode_cursor(cursor), PAGE)
    except DomainError as exc:
        context = {"session": session, "page": None, "error": exc.message}
        return Template("notifications.html", context=context, status_code=400)
    return Template("notifications.html", context={"session": session, "page": page, "error": None})


@post("/notifications/read", include_in_schema=False, status_code=303)
async def mark_read(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """Marks the one notification named in the form, or all of them."""
    session, form = await signed_form(request)
    ids = [form["id"]] if form.get("id") else None
    service = services.notifications
    await service.mark_read(session.principal.user_id, MarkRead(ids=ids))
    next_page = form.get("next", "")
    return Redirect(next_page if next_page.startswith("/cases/") else "/notifications")
