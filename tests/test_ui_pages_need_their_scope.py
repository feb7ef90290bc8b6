"""Every page of the web UI that shows investigation data asks for the read scope the API asks
for the same data (`session_with(request, "alerts:read")`), rather than relying on every role
holding every `:read` scope: a role without one must not see through the pages what the API
would refuse it."""

from __future__ import annotations

import inspect
import re

from irbox.web.ui.pages import ui_router

# Sign-in pages and pages about the signed-in user's own account, open to every signed-in user.
OWN = {"/settings", "/login", "/login/code", "/", "/settings/audit"}
READ_SCOPE = re.compile(r'session_with\(\s*request,\s*"(\w+):read"')


def _get_pages() -> dict[str, str]:
    pages = {}
    for route in ui_router().routes:
        if "GET" not in getattr(route, "methods", ()) or route.path.startswith("/static"):
            continue
        for handler in route.route_handlers:  # type: ignore[attr-defined]
            if "GET" in handler.http_methods:
                pages[route.path] = inspect.getsource(handler.fn)
    return pages


def test_every_read_page_names_its_scope() -> None:
    pages = _get_pages()
    assert {"/alerts", "/cases/{case_id:str}", "/dashboard"} <= set(pages)
    missing = [p for p, source in pages.items() if p not in OWN and not READ_SCOPE.search(source)]
    assert missing == []
