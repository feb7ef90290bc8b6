"""UI page: "have we seen this before?" for one observable."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from irbox.errors import ValidationFailed
from irbox.observables.normalize import TYPES
from irbox.ui.security import current_session


@get("/observables", include_in_schema=False)
async def observable_page(
    request: Request, type: FromQuery[str] = "ip", value: FromQuery[str] = ""
) -> Template:
    session = current_session(request)
    result, error = None, None
    if value:
        try:
            result = request.app.state.services.observables.search(type, value, 100, None)
        except ValidationFailed as exc:
            error = "; ".join(exc.details.values()) or exc.message
    context = {"session": session, "types": TYPES, "type": type, "value": value,
               "result": result, "error": error}  # fmt: skip
    return Template("observables.html", context=context)
