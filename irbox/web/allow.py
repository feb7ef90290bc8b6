"""`OPTIONS` answers name every method of the path. Litestar 2 makes one OPTIONS handler per
group of route handlers, and the one that answers lists only its own group's methods
(`OPTIONS /api/v1/cases/{id}` said `GET, OPTIONS` without PATCH; litestar-org/litestar#4169,
fixed in 3.x). The app's merged routes know them all: their list replaces Litestar's."""

from __future__ import annotations

from litestar import Litestar
from litestar.routes import HTTPRoute

from irbox.web.asgi import ASGIApp, Message, Receive, Scope, Send


class AllowedMethods:
    def __init__(self, app: Litestar) -> None:
        self.app: ASGIApp = app  # type: ignore[assignment]  # Litestar's scope types are TypedDicts
        # By the route's template as the router puts it on the scope (`/cases/{case_id}`).
        methods: dict[str, set[str]] = {}
        for route in app.routes:
            if isinstance(route, HTTPRoute):
                methods.setdefault(route.path_format, set()).update(route.methods)
        self.allowed = {path: ", ".join(sorted(m)).encode() for path, m in methods.items()}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "OPTIONS":
            await self.app(scope, receive, send)
            return

        async def send_allow(message: Message) -> None:
            # The router has set the route's template on the scope by the time it answers.
            allow = self.allowed.get(scope.get("path_template", ""))
            if message["type"] == "http.response.start" and allow is not None:
                headers = [(k, v) for k, v in message.get("headers", ()) if k.lower() != b"allow"]
                message = {**message, "headers": [*headers, (b"allow", allow)]}
            await send(message)

        await self.app(scope, receive, send_allow)
