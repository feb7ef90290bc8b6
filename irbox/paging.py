"""Keyset pagination: an opaque cursor over a strictly increasing sequence number, newest first,
so that rows inserted while a client pages never shift or repeat what it sees."""

from __future__ import annotations

import base64
import binascii

import msgspec

from irbox.errors import Errors, ValidationFailed

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


def encode_cursor(seq: int) -> str:
    return base64.urlsafe_b64encode(msgspec.json.encode(["v1", seq])).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int | None:
    if cursor is None or cursor == "":
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, seq = msgspec.json.decode(base64.urlsafe_b64decode(padded.encode()))
        if version == "v1" and isinstance(seq, int) and seq > 0:
            return seq
    except (ValueError, TypeError, binascii.Error, msgspec.DecodeError):
        pass
    raise ValidationFailed("invalid cursor", {"cursor": "not a cursor this API returned"})


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
