"""Behind a reverse proxy: the client's address from `X-Forwarded-For`, believed only when the
connection comes from a proxy listed in `trusted_proxies` (anyone else could write the header).
The right-most address that is not itself a trusted proxy is the client: entries to its left
were written by the client and prove nothing. Rate limits, sign-in throttling and the audit log
then see the client, not the proxy."""

from __future__ import annotations

import ipaddress
from collections.abc import Sequence

from irbox.web.asgi import ASGIApp, Receive, Scope, Send

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class ForwardedClient:
    def __init__(self, app: ASGIApp, trusted: Sequence[Network]) -> None:
        self.app = app
        self.trusted = tuple(trusted)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        peer = scope.get("client")
        if scope["type"] == "http" and peer and self._is_trusted(peer[0]):
            client = self._client_of(scope)
            if client is not None:
                scope = {**scope, "client": (client, 0)}
        await self.app(scope, receive, send)

    def _is_trusted(self, address: str) -> bool:
        try:
            ip = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(ip in network for network in self.trusted)

    def _client_of(self, scope: Scope) -> str | None:
        hops = [
            hop.strip()
            for name, value in scope.get("headers", ())
            if name == b"x-forwarded-for"
            for hop in value.decode("latin-1").split(",")
        ]
        client = None
        for hop in reversed(hops):
            try:
                client = str(ipaddress.ip_address(hop))
            except ValueError:
                break  # a malformed entry: nothing to its left can be trusted either
            if not self._is_trusted(client):
                return client
        return client  # every hop a trusted proxy: the left-most
