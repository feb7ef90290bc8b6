"""People read times to the second in UTC; pages keep the exact value in `<time datetime>`."""

from __future__ import annotations

from irbox import clock
from irbox.ui.formats import when


def test_readable_times() -> None:
    assert clock.readable("2026-06-02T09:14:00.123456Z") == "2026-06-02 09:14:00 UTC"
    assert clock.readable("2026-06-02T11:14:00+02:00") == "2026-06-02 09:14:00 UTC"
    assert clock.readable(None) == "" and clock.readable("soon") == "soon"


def test_pages_keep_the_exact_time() -> None:
    exact = "2026-06-02T09:14:00.5Z"
    assert str(when(exact)) == (
        f'<time datetime="{exact}" title="{exact}">2026-06-02 09:14:00 UTC</time>'
    )
    assert str(when(None)) == "" and not when(None)
    assert "<script>" not in str(when("<script>"))  # shown as it is, escaped
