"""A short-lived cache of API key lookups, so that a request does not read SQLite to authenticate.

Every identity change made in this process (revoking a key, changing or disabling a user) clears
it at once, so revocation is immediate. Changes made by another process (the CLI) are seen within
`TTL_S`: new users and keys at once (a cache miss finds them), a key revoked by `irbox apikey
revoke` once its entry expires."""

from __future__ import annotations

import time
from typing import Any

TTL_S = 5.0
MAX_ENTRIES = 10_000


class AuthCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, Any]] = {}

    def get(self, token_hash: str) -> Any | None:
        entry = self._entries.get(token_hash)
        if entry is None or time.monotonic() - entry[0] > TTL_S:
            return None
        return entry[1]

    def put(self, token_hash: str, value: Any) -> None:
        if len(self._entries) >= MAX_ENTRIES:
            self._entries.clear()
        self._entries[token_hash] = (time.monotonic(), value)

    def clear(self) -> None:
        self._entries.clear()
