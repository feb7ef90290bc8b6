"""Dashboard analytics from the index: top observables, alert volume per day by source and
severity, time to triage and time to resolve (percentiles), over a window."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.index.database import IndexDatabase

DAY_US = 86_400 * 1_000_000


class TopObservable(msgspec.Struct):
    type: str
    value: str
    alerts: int


class DailyVolume(msgspec.Struct):
    day: str  # YYYY-MM-DD (UTC)
    source: str
    severity: str
    alerts: int


class Percentiles(msgspec.Struct):
    count: int
    p50_s: float | None
    p90_s: float | None
    p99_s: float | None


class Stats(msgspec.Struct):
    window: str
    since: str
    top_observables: list[TopObservable]
    alert_volume: list[DailyVolume]
    time_to_triage: Percentiles
    time_to_resolve: Percentiles


def stats(index: IndexDatabase, window: str, since: int, top: int = 10) -> Stats:
    """The figures since `since` (microseconds), labelled `window`."""
    with index.snapshot():  # every figure from the same state of the index
        return _stats(index, window, since, top)


def _stats(index: IndexDatabase, window: str, since: int, top: int) -> Stats:
    top_rows = index.query(
        "SELECT type, value, count(*) AS n FROM sightings"
        " WHERE entity = 'alert' AND seen_at >= ? GROUP BY type, value"
        " ORDER BY n DESC, type, value LIMIT ?",
        [since, top],
    )
    volume_rows = index.query(
        # By the day the source detected it (received, for alerts indexed before it was kept)
        "SELECT coalesce(detected, ts) // ? AS day, source, severity, count(*) FROM alert_log"
        " WHERE kind = 'created' AND coalesce(detected, ts) >= ?"
        " GROUP BY ALL ORDER BY day, source, severity",
        [DAY_US, since],
    )
    return Stats(
        window=window,
        since=clock.to_rfc3339(since) or "",
        top_observables=[TopObservable(t, v, n) for t, v, n in top_rows],
        alert_volume=[
            DailyVolume((clock.to_rfc3339(day * DAY_US) or "")[:10], src, sev, n)
            for day, src, sev, n in volume_rows
        ],
        time_to_triage=_percentiles(index, "alert_log", "alert_id", "created", "triaged", since),
        time_to_resolve=_percentiles(index, "case_log", "case_id", "created", "resolved", since),
    )


def _percentiles(
    index: IndexDatabase, table: str, key: str, start: str, end: str, since: int
) -> Percentiles:
    (row,) = index.query(
        f"WITH s AS (SELECT {key}, min(ts) AS t0 FROM {table} WHERE kind = ? GROUP BY {key}"
        f" HAVING min(ts) >= ?), e AS (SELECT {key}, min(ts) AS t1 FROM {table} WHERE kind = ?"
        f" GROUP BY {key}) SELECT count(*), quantile_cont((t1 - t0) / 1e6, [0.5, 0.9, 0.99])"
        f" FROM s JOIN e USING ({key}) WHERE t1 >= t0",
        [start, since, end],
    )
    count, quantiles = row
    if not count:
        return Percentiles(0, None, None, None)
    p50, p90, p99 = (round(q, 3) for q in quantiles)
    return Percentiles(count, p50, p90, p99)
