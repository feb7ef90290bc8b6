"""Who is making a request, and what they may do."""

from __future__ import annotations

import msgspec


class Actor(msgspec.Struct, frozen=True):
    """Whoever changes state, as the audit log records it."""

    user_id: str | None
    key_id: str | None = None
    ip: str | None = None

    @property
    def who(self) -> tuple[str | None, str | None, str | None]:
        return (self.user_id, self.key_id, self.ip)


SYSTEM = Actor(user_id=None, key_id=None, ip=None)


class Principal(msgspec.Struct, frozen=True):
    user_id: str
    email: str
    role: str
    key_id: str | None
    scopes: frozenset[str]
    ip: str | None = None

    def can(self, scope: str) -> bool:
        return scope in self.scopes

    @property
    def actor(self) -> Actor:
        return Actor(self.user_id, self.key_id, self.ip)
