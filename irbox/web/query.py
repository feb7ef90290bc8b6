"""The query string: raw UTF-8 made readable, and filters given as lists."""

from __future__ import annotations

import re

from irbox.web.asgi import ASGIApp, Receive, Scope, Send

_NON_ASCII = re.compile(rb"[\x80-\xff]")


def _percent(match: re.Match[bytes]) -> bytes:
    return b"%%%02X" % match.group()[0]


class Utf8QueryString:
    """Litestar decodes the query string as Latin-1 (RFC 3986 wants it percent-encoded), but
    clients such as curl send UTF-8 as it is (`?value=bücher.example`), which then arrived as
    `bÃ¼cher`. Bytes beyond ASCII are percent-encoded here, which Litestar decodes as UTF-8."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        query = scope.get("query_string", b"")
        if query and not query.isascii():
            scope = {**scope, "query_string": _NON_ASCII.sub(_percent, query)}
        await self.app(scope, receive, send)


def joined(values: list[str] | None) -> str | None:
    """A filter given as a comma list, repeated (`?status=a&status=b`), or both, as one comma
    list: a repeated parameter would otherwise keep only its last value, silently."""
    return ",".join(values) if values else None
