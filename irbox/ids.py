"""Prefixed ULIDs: `alert_01J…`, `case_01J…`. Sortable by creation time, unique without a lookup."""

from ulid import ULID


def new_id(prefix: str) -> str:
    return f"{prefix}_{ULID()}"


def has_prefix(value: str, prefix: str) -> bool:
    return value.startswith(prefix + "_") and len(value) == len(prefix) + 27
