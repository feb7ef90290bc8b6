"""`/attack/techniques`: look-ups in the bundled ATT&CK catalogue (for the UI's picker)."""

from __future__ import annotations

import msgspec
from litestar import get
from litestar.params import FromQuery

from irbox.attack.catalogue import TechniqueOut, out
from irbox.errors import Errors
from irbox.paging import check_limit
from irbox.web.deps import CtxDep


class TechniqueList(msgspec.Struct):
    version: str
    items: list[TechniqueOut]


@get("/attack/techniques", opt={"scope": "cases:read"}, tags=["attack"], sync_to_thread=True)
def search_techniques(
    ctx: CtxDep, q: FromQuery[str] = "", limit: FromQuery[int] = 20
) -> TechniqueList:
    """Techniques whose id starts with `q` or whose name contains its words."""
    errors = Errors()
    check_limit(errors, limit)
    errors.raise_if_any("invalid limit")
    catalogue = ctx.services.attack
    return TechniqueList(catalogue.version, [out(t) for t in catalogue.search(q, limit)])
