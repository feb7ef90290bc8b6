"""UI page: the dashboard (open alerts by severity, volume over time, triage and resolve times,
top observables), drawn as server-side SVG."""

from __future__ import annotations

from urllib.parse import urlencode

from litestar import get
from litestar.params import FromQuery
from litestar.response import Template

from irbox.alerts.models import SEVERITIES
from irbox.cases.models import CASE_STATUSES
from irbox.web.deps import AnyRequest, ServicesDep
from irbox.web.ui import charts
from irbox.web.ui.formats import names_of
from irbox.web.ui.security import session_with

WINDOWS = ("24h", "7d", "30d", "90d")  # offered on the page; any window up to 366d works


@get("/dashboard", include_in_schema=False, sync_to_thread=True)
def dashboard(
    request: AnyRequest, services: ServicesDep, window: FromQuery[str] = "30d"
) -> Template:
    session = session_with(request, "alerts:read")
    figures = services.dashboard.figures(window)
    counts = services.alerts.triage_counts()
    open_by_severity: list[tuple[str, int, str | None]] = [
        (severity, counts.get(severity, 0), f"/alerts?{urlencode({'severity': severity})}")
        for severity in reversed(SEVERITIES)
    ]
    top: list[tuple[str, int, str | None]] = [
        (
            f"{o.type} {o.value}",
            o.alerts,
            f"/observables?{urlencode({'type': o.type, 'value': o.value})}",
        )
        for o in figures.top_observables
    ]
    by_status = services.cases.by_status()
    cases_by_status: list[tuple[str, int, str | None]] = [
        (
            status.replace("_", " "),
            by_status.get(status, 0),
            f"/cases?{urlencode({'status': status})}",
        )
        for status in CASE_STATUSES
    ]
    names = names_of(services.users.list())
    cases_by_assignee: list[tuple[str, int, str | None]] = sorted(
        (
            (names.get(user_id, user_id) if user_id else "nobody", count, None)
            for user_id, count in services.cases.open_by_assignee().items()
        ),
        key=lambda item: -item[1],
    )
    return Template(
        "dashboard.html",
        context={
            "session": session,
            "stats": figures,
            "open_chart": charts.bars("Open alerts by severity", open_by_severity),
            "volume_chart": charts.stacked_days(
                "Alert volume per day", figures.alert_volume, figures.since
            ),
            "top_chart": charts.bars("Top observables", top),
            "cases_status_chart": charts.bars("Cases by status", cases_by_status),
            "cases_assignee_chart": charts.bars("Open cases by assignee", cases_by_assignee),
            "window": window,
            "windows": WINDOWS,
            "sla": services.sla.standing() if services.sla.any_target() else None,
        },
    )
