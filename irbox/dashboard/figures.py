"""The dashboard's one rule for its window, for the API and the page alike: `<n>d` or `<n>h`, at
most 366 days; the figures themselves come from the observable index (`index.stats`)."""

from __future__ import annotations

import re

from irbox import clock
from irbox.errors import ValidationFailed
from irbox.index.database import IndexDatabase
from irbox.index.stats import DailyVolume, Stats, stats

# The shapes the figures come in, for the API and the page (which may not reach into the index).
__all__ = ["DailyVolume", "DashboardService", "Stats", "window_us"]

_WINDOW = re.compile(r"^([1-9][0-9]{0,3})([hd])$")
MAX_HOURS = 366 * 24


def window_us(window: str) -> int:
    """`30d` or `12h` in microseconds; a 400 naming `window` otherwise."""
    match = _WINDOW.match(window)
    if match is None:
        raise ValidationFailed("invalid window", {"window": "like 30d or 24h"})
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
    if hours > MAX_HOURS:
        raise ValidationFailed("invalid window", {"window": "at most 366d"})
    return hours * 3600 * 1_000_000


class DashboardService:
    def __init__(self, index: IndexDatabase) -> None:
        self.index = index

    def figures(self, window: str, top: int = 10) -> Stats:
        return stats(self.index, window, clock.now_us() - window_us(window), top)
