"""Token buckets per API key (or per client IP when there is no valid key)."""

from __future__ import annotations

import math
import time


class RateLimiter:
    def __init__(self, per_minute: int, burst: int, max_buckets: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_buckets = max_buckets
        self._buckets: dict[str, tuple[float, float]] = {}

    def waiting(self, bucket: str) -> int:
        """Like `take`, without taking: for what is charged only when it fails (a wrong
        second-factor code), checked before and taken after."""
        tokens, last = self._buckets.get(bucket, (self.burst, time.monotonic()))
        tokens = min(self.burst, tokens + (time.monotonic() - last) * self.rate)
        return 0 if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.rate))

    def take(self, bucket: str) -> int:
        """Take one token. Returns 0 when allowed, else the whole seconds to wait (>= 1)."""
        now = time.monotonic()
        tokens, last = self._buckets.get(bucket, (self.burst, now))
        tokens = min(self.burst, tokens + (now - last) * self.rate)
        if tokens >= 1.0:
            if len(self._buckets) >= self.max_buckets and bucket not in self._buckets:
                self._buckets.clear()  # bounded memory under an address-spraying client
            self._buckets[bucket] = (tokens - 1.0, now)
            return 0
        self._buckets[bucket] = (tokens, now)
        return max(1, math.ceil((1.0 - tokens) / self.rate))
