"""The alert page of an alert with many observables (a tool may send up to 1,000): it says how
many alerts carried each of the first ones and links every one to its observable page, without
an index look-up per observable (~1 ms each at 100 k alerts: a second for 1,000)."""

from __future__ import annotations

import time

from irbox.web.ui.cases import SIGHTED_MAX
from tests.harness import Server, alert


def test_an_alert_with_a_thousand_observables(fresh_server: Server) -> None:
    fresh_server.start()
    observables = [{"type": "ip", "value": f"10.9.{n // 250}.{n % 250}"} for n in range(1000)]
    with fresh_server.client(fresh_server.token()) as api:
        api.post("/alerts", json=alert("other", observables=observables[:3]))
        alert_id = api.post("/alerts", json=alert("many", observables=observables)).json()["id"]
        deadline = time.monotonic() + 5
        while api.get("/observables/search", params=observables[0]).json()["alert_count"] < 2:
            assert time.monotonic() < deadline, "not indexed"
            time.sleep(0.05)
    ui = fresh_server.ui_client("admin@irbox.local", fresh_server.first_password)
    page = ui.get(f"/alerts/{alert_id}")
    assert page.status_code == 200
    rows = page.text.split("<tbody>", 1)[1].split("</tbody>", 1)[0].split("<tr>")[1:]
    assert len(rows) == 1000  # every observable listed, each linking to its page
    assert all("/observables?type=ip&amp;value=10.9." in row for row in rows)
    counts = [row.rsplit("<td>", 1)[1].split("</td>", 1)[0] for row in rows]
    assert counts[:3] == ["2", "2", "2"] and counts[3:SIGHTED_MAX] == ["1"] * (SIGHTED_MAX - 3)
    assert set(counts[SIGHTED_MAX:]) == {"—"}
    assert f"the first {SIGHTED_MAX}" in page.text
