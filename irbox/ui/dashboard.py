"""UI page: the dashboard (open alerts by severity, volume over time, triage and resolve times,
top observables), drawn as server-side SVG."""

from __future__ import annotations

from litestar import Request, get
from litestar.params import FromQuery
from litestar.response import Template

from irbox.alerts.models import SEVERITIES, AlertFilter
from irbox.index.stats import stats
from irbox.ui import charts
from irbox.ui.security import current_session

OPEN_COUNT_CAP = 500  # counts of open alerts are shown as "500+" beyond this


@get("/dashboard", include_in_schema=False)
async def dashboard(request: Request, window: FromQuery[str] = "30d") -> Template:
    session = current_session(request)
    services = request.app.state.services
    figures = stats(services.index, window)
    open_by_severity = []
    for severity in reversed(SEVERITIES):
        flt = AlertFilter(status=["triage"], severity=[severity])
        n = len(services.alerts.list(flt, None, OPEN_COUNT_CAP).items)
        open_by_severity.append((severity, n))
    top = [(f"{o.type} {o.value}", o.alerts) for o in figures.top_observables]
    return Template(
        "dashboard.html",
        context={
            "session": session,
            "stats": figures,
            "open_chart": charts.bars(open_by_severity),
            "volume_chart": charts.stacked_days(figures.alert_volume),
            "top_chart": charts.bars(top),
            "window": window,
        },
    )
