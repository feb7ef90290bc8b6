"""Reading what the browser's form fields send."""

from __future__ import annotations

import re

_LOCAL = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?$")


def utc_from_local(value: str | None) -> str | None:
    """A `datetime-local` field's value (`2026-06-02T09:14`, seconds optional), which the page
    labels as UTC, as RFC 3339; anything else is passed on for the service to refuse."""
    if not value:
        return None
    if _LOCAL.match(value):
        return value + (":00Z" if len(value) == 16 else "Z")
    return value
