"""Time as integer microseconds since the epoch in storage, RFC 3339 UTC with `Z` on the wire."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import overload

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def now_us() -> int:
    return time.time_ns() // 1000


@overload
def to_rfc3339(us: int) -> str: ...
@overload
def to_rfc3339(us: None) -> None: ...
@overload
def to_rfc3339(us: int | None) -> str | None: ...


def to_rfc3339(us: int | None) -> str | None:
    if us is None:
        return None
    seconds, micros = divmod(us, 1_000_000)
    t = time.gmtime(seconds)
    # The year as four digits: strftime's %Y writes year 152 as "152", not RFC 3339's "0152".
    text = f"{t.tm_year:04d}-" + time.strftime("%m-%dT%H:%M:%S", t)
    if micros:
        text += f".{micros:06d}".rstrip("0")
    return text + "Z"


def parse_rfc3339(value: str) -> int:
    """Parse an RFC 3339 timestamp with any offset; raise ValueError when absent or malformed."""
    if not isinstance(value, str) or len(value) < 20 or value[10] not in "Tt ":
        raise ValueError("expected an RFC 3339 timestamp such as 2026-06-02T09:14:00Z")
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise ValueError("expected an RFC 3339 timestamp such as 2026-06-02T09:14:00Z") from None
    if parsed.tzinfo is None:
        raise ValueError("timestamp needs a UTC offset or Z")
    try:  # an offset can carry the time past year 9999 or before year 1 in UTC
        parsed.astimezone(UTC)
    except OverflowError:
        raise ValueError("timestamp out of range: years 0001 to 9999 in UTC") from None
    delta = parsed - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def readable(value: str | None) -> str:
    """An RFC 3339 timestamp for people (pages, reports): to the second, `2026-06-02 09:14:00
    UTC`; empty for None. A value that does not parse is shown as it is."""
    if not value:
        return ""
    try:
        seconds = parse_rfc3339(value) // 1_000_000
    except ValueError:
        return value
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(seconds))
