"""Keyset pagination: an opaque cursor over a strictly increasing sequence number, newest first,
so that rows inserted while a client pages never shift or repeat what it sees.

Invariant: rows become visible in `seq` order, which the single SQLite writer guarantees (one
thread commits every row). With concurrent writers a row with a smaller `seq` could commit after
a page passed it and never be listed (docs/architecture.md, "The single writer's invariants")."""

from __future__ import annotations

import base64
import binascii

import msgspec

from irbox.errors import Errors, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


MAX_SEQ = 2**63 - 1  # SQLite's largest integer


def encode_position(tag: str, *seqs: int) -> str:
    """An opaque cursor: a versioned tag and the sequence numbers to continue before."""
    return base64.urlsafe_b64encode(msgspec.json.encode([tag, *seqs])).decode().rstrip("=")


def decode_position(cursor: str, tag: str, count: int, low: int = 0) -> tuple[int, ...]:
    """The `count` sequence numbers of a cursor `encode_position(tag, ...)` made; anything else
    (a tampered or foreign cursor, a number below `low` or past what SQLite holds) is a 400."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        value = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
        if (
            isinstance(value, list)
            and len(value) == count + 1
            and value[0] == tag
            and all(type(v) is int and low <= v <= MAX_SEQ for v in value[1:])
        ):
            return tuple(value[1:])
    except (ValueError, TypeError, binascii.Error, msgspec.DecodeError):
        pass
    raise ValidationFailed("invalid cursor", {"cursor": "not a cursor this API returned"})


def encode_cursor(seq: int) -> str:
    return encode_position("v1", seq)


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    (seq,) = decode_position(cursor, "v1", 1, low=1)
    return seq


def check_limit(errors: Errors, limit: int) -> None:
    if not 1 <= limit <= MAX_LIMIT:
        errors.add("limit", f"must be between 1 and {MAX_LIMIT}")


def split_page(rows: list, limit: int) -> tuple[list, str | None]:
    """`rows` were fetched with LIMIT limit+1: the extra row tells whether a next page exists."""
    if len(rows) <= limit:
        return rows, None
    page = rows[:limit]
    return page, encode_cursor(page[-1]["seq"])


def page_args(limit: int, cursor: str | None) -> int | None:
    """Validate `?limit=` and `?cursor=`; return the sequence number to continue before."""
    errors = Errors()
    check_limit(errors, limit)
    errors.raise_if_any("invalid pagination")
    return decode_cursor(cursor)
