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


def test_an_alert_opened_from_the_queue_steps_through_its_filter(
    server: Server, api: httpx.Client, unique: str
) -> None:
    source = f"steps{unique[:12]}".lower().replace("-", "")
    ids = [api.post("/alerts", json=alert(f"{unique}-{n}", source=source)).json()["id"]
           for n in range(3)]  # fmt: skip
    api.post("/alerts", json=alert(f"{unique}-other"))  # another source: not a step
    ui = server.ui_client("admin@irbox.local", server.first_password)
    queue = ui.get("/alerts", params={"source": source}).text
    link = queue.split(f'id="row-{ids[1]}"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    page = ui.get(link.replace("&amp;", "&")).text
    assert f'href="/alerts/{ids[2]}?' in page.split('id="newer"', 1)[0].rsplit("<a", 1)[1]
    assert f'href="/alerts/{ids[0]}?' in page.split('id="older"', 1)[0].rsplit("<a", 1)[1]
    back = page.split('id="back-to-queue"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
    assert f"source={source}" in back
    newest = ui.get(f"/alerts/{ids[2]}", params={"source": source, "status": "triage"}).text
    assert 'id="newer"' not in newest and 'id="older"' in newest
    plain = ui.get(f"/alerts/{ids[1]}").text  # not from the queue: no steps
    assert 'id="older"' not in plain
