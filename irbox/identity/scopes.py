"""Scopes and roles. What a key may do is its scopes intersected with its owner's role."""

from __future__ import annotations

SCOPES = (
    "alerts:read",
    "alerts:write",
    "cases:read",
    "cases:write",
    "observables:read",
    "observables:write",
    "metrics:read",
    "admin",
)
ROLES = ("admin", "analyst", "viewer")

_ROLE_SCOPES = {
    "admin": frozenset(SCOPES),
    "analyst": frozenset(s for s in SCOPES if s != "admin"),
    "viewer": frozenset(s for s in SCOPES if s.endswith(":read")),
}


def role_scopes(role: str) -> frozenset[str]:
    return _ROLE_SCOPES.get(role, frozenset())


def effective(key_scopes: frozenset[str] | set[str], role: str) -> frozenset[str]:
    return frozenset(key_scopes) & role_scopes(role)
