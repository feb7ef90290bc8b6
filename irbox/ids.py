"""Prefixed ULIDs: `alert_01J…`, `case_01J…`. Sortable by creation time, unique without a lookup."""

from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"
