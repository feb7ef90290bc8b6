"""The alert list's filter as a query string writes it (the API's parameters and the queue's
form): comma lists and timestamps, each bad value named."""

from __future__ import annotations

from irbox import clock
from irbox.alerts.models import SEVERITIES, STATUSES, AlertFilter
from irbox.errors import Errors

SORTS = ("time", "severity")


def parse_filter(
    status: str | None,
    severity: str | None,
    source: str | None,
    since: str | None,
    until: str | None,
    q: str | None,
    tag: str | None = None,
    sort: str | None = None,
) -> AlertFilter:
    """Turn query-string values (comma lists, timestamps) into a filter, naming each bad one."""
    errors = Errors()
    flt = AlertFilter(q=q or None, sort=sort or "time")
    if flt.sort not in SORTS:
        errors.add("sort", f"one of {', '.join(SORTS)}")
    for name, value, allowed in (
        ("status", status, STATUSES),
        ("severity", severity, SEVERITIES),
        ("source", source, None),
        ("tag", tag, None),
    ):
        items = [v.strip() for v in (value or "").split(",") if v.strip()]
        bad = [v for v in items if allowed is not None and v not in allowed]
        if bad:
            errors.add(name, f"unknown value {bad[0]!r}; one of {', '.join(allowed or ())}")
        setattr(flt, name, items)
    for name, value in (("since", since), ("until", until)):
        if value:
            try:
                setattr(flt, name, clock.parse_rfc3339(value))
            except ValueError as exc:
                errors.add(name, str(exc))
    errors.raise_if_any("invalid filter")
    return flt
