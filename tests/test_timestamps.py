"""Timestamps: accepted in RFC 3339 within years 0001-9999 UTC; people read them to the second in
UTC, and pages keep the exact value in `<time datetime>`."""

from __future__ import annotations

import pytest

from irbox import clock
from irbox.web.ui.formats import duration, when
from irbox.web.ui.inputs import utc_from_local


def test_readable_times() -> None:
    assert clock.readable("2026-06-02T09:14:00.123456Z") == "2026-06-02 09:14:00 UTC"
    assert clock.readable("2026-06-02T11:14:00+02:00") == "2026-06-02 09:14:00 UTC"
    assert clock.readable(None) == "" and clock.readable("soon") == "soon"


def test_a_time_past_year_9999_in_utc_is_refused() -> None:
    """Else it would be written back as `10000-01-01T…Z`, which is not RFC 3339."""
    for value in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00+00:01"):
        with pytest.raises(ValueError, match="out of range"):
            clock.parse_rfc3339(value)
    assert clock.to_rfc3339(clock.parse_rfc3339("9999-12-31T23:59:59Z")) == "9999-12-31T23:59:59Z"


def test_pages_keep_the_exact_time() -> None:
    exact = "2026-06-02T09:14:00.5Z"
    assert str(when(exact)) == (
        f'<time datetime="{exact}" title="{exact}">2026-06-02 09:14:00 UTC</time>'
    )
    assert str(when(None)) == "" and not when(None)
    assert "<script>" not in str(when("<script>"))  # shown as it is, escaped


def test_spans_read_in_the_unit_that_fits() -> None:
    shown = [
        duration(s) for s in (None, 0.001, 0.022, 4.54, 9.96, 42, 754, 3600, 18720, 86400, 268000)
    ]
    assert shown == ["—", "< 0.01 s", "0.02 s", "4.5 s", "10 s", "42 s", "13 min", "1.0 h",
                     "5.2 h", "24 h", "3.1 d"]  # fmt: skip


def test_a_datetime_local_field_is_read_as_utc() -> None:
    assert utc_from_local("2026-06-02T09:14") == "2026-06-02T09:14:00Z"
    assert utc_from_local("2026-06-02T09:14:05") == "2026-06-02T09:14:05Z"  # step="1" adds seconds
    assert utc_from_local("2026-06-02T09:14:05.250") == "2026-06-02T09:14:05.250Z"
    assert utc_from_local("") is None and utc_from_local(None) is None
    assert utc_from_local("soon") == "soon"  # for the service to refuse, naming the field


def test_years_before_1000_keep_four_digits() -> None:
    """RFC 3339 years have four digits: an alert detected in year 152 answers `0152-…`, and
    reads back as it was (strftime alone would write `152-…`)."""
    for text in ("0152-11-01T21:29:55.204222Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59.5Z"):
        assert clock.to_rfc3339(clock.parse_rfc3339(text)) == text
