"""Query-string helpers shared by the list routes."""

from __future__ import annotations


def joined(values: list[str] | None) -> str | None:
    """A filter given as a comma list, repeated (`?status=a&status=b`), or both, as one comma
    list: a repeated parameter would otherwise keep only its last value, silently."""
    return ",".join(values) if values else None
