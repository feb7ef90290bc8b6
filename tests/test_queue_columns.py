"""The alert queue shows what triage needs at a glance: the asset, how many observables, and
how long the alert has waited, beside severity, title, source, detection time and status."""

from __future__ import annotations

import httpx

from tests.harness import Server, alert


def test_a_row_shows_asset_observable_count_and_age(
    server: Server, api: httpx.Client, unique: str
) -> None:
    observables = [{"type": "ip", "value": f"198.51.100.{n}"} for n in range(3)]
    source = f"cols{unique[:12]}".lower().replace("-", "")
    alert_id = api.post("/alerts", json=alert(unique, source=source, observables=observables,
                                              asset={"hostname": "WS-9"})).json()["id"]  # fmt: skip
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/alerts", params={"source": source}).text
    row = page.split(f'id="row-{alert_id}"', 1)[1].split("</tr>", 1)[0]
    cells = [cell.split(">", 1)[1] for cell in row.split("<td")[1:]]
    assert cells[4].startswith("WS-9")  # asset
    assert cells[5].startswith("3<")  # observables
    assert "<time" in cells[7] and " s</time>" in cells[7]  # waited seconds so far
