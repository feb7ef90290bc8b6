"""The dashboard's one rule for its window, for the API and the page alike: `<n>d` or `<n>h`, at
most 366 days; the figures themselves come from the observable index (`index.stats`)."""

from __future__ import annotations

import re

from irbox import clock
from irbox.errors import ValidationFailed
from irbox.index.database import IndexDatabase
from irbox.index.stats import DailyVolume, Stats, stats
from irbox.observables.suppression import SuppressionService

# The shapes the figures come in, for the API and the page (which may not reach into the index).
__all__ = ["DailyVolume", "DashboardService", "Stats", "window_us"]

SUPPRESSED_ROOM = 10  # extra top observables read, to fill the places of suppressed ones
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
    def __init__(self, index: IndexDatabase, suppressions: SuppressionService) -> None:
        self.index = index
        self.suppressions = suppressions

    def figures(self, window: str, top: int = 10) -> Stats:
        """The window's figures; the top observables leave out the suppressed ones (known
        noise, already dealt with), so the list shows what still needs a look."""
        since = clock.now_us() - window_us(window)
        figures = stats(self.index, window, since, top + SUPPRESSED_ROOM)
        figures.top_observables = [
            o for o in figures.top_observables if not self.suppressions.active_for(o.type, o.value)
        ][:top]
        return figures
