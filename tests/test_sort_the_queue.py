"""Sorting the queue: `sort=severity` lists the most severe first and the newest first within a
severity, paged by a cursor that continues that order; the queue page offers it and keeps it
in the next page's link."""

from __future__ import annotations

import httpx

from tests.harness import Server, alert

ORDER = ["medium", "critical", "low", "critical", "info", "high", "medium"]


def _ingest(api: httpx.Client, unique: str) -> list[str]:
    return [
        api.post(
            "/alerts",
            json=alert(f"{unique}-{n}", source=f"sort-{unique}", severity=sev, title=f"{sev} {n}"),
        ).json()["id"]
        for n, sev in enumerate(ORDER)
    ]


def test_most_severe_first_paged(api: httpx.Client, unique: str) -> None:
    ids = _ingest(api, unique)
    seen: list[str] = []
    cursor = None
    while True:
        params = {"source": f"sort-{unique}", "sort": "severity", "limit": 3}
        answer = api.get("/alerts", params={**params, **({"cursor": cursor} if cursor else {})})
        assert answer.status_code == 200, answer.text
        seen += [a["id"] for a in answer.json()["items"]]
        cursor = answer.json()["next_cursor"]
        if cursor is None:
            break
    expected = [ids[3], ids[1], ids[5], ids[6], ids[0], ids[2], ids[4]]
    assert seen == expected
    newest_first = api.get("/alerts", params={"source": f"sort-{unique}"}).json()["items"]
    assert [a["id"] for a in newest_first] == ids[::-1]


def test_bad_sorts_and_foreign_cursors_are_refused(api: httpx.Client, unique: str) -> None:
    _ingest(api, unique)
    refused = api.get("/alerts", params={"sort": "loudest"})
    assert refused.status_code == 400 and "sort" in refused.json()["details"], refused.text
    by_time = api.get("/alerts", params={"source": f"sort-{unique}", "limit": 2}).json()
    crossed = api.get("/alerts", params={"sort": "severity", "cursor": by_time["next_cursor"]})
    assert crossed.status_code == 400 and "cursor" in crossed.json()["details"]


def test_the_queue_page_sorts(server: Server, api: httpx.Client, unique: str) -> None:
    _ingest(api, unique)
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/alerts", params={"source": f"sort-{unique}", "sort": "severity"}).text
    titles = [
        part.split("</a>", 1)[0].rsplit(">", 1)[1] for part in page.split('<td class="title">')[1:]
    ]
    assert titles == [
        "critical 3",
        "critical 1",
        "high 5",
        "medium 6",
        "medium 0",
        "low 2",
        "info 4",
    ]
    assert '<option value="severity" selected>' in page
    assert "data-poll" not in page  # new alerts would land out of order: no live rows


def test_the_alert_page_steps_in_the_queues_order(
    server: Server, api: httpx.Client, unique: str
) -> None:
    ids = _ingest(api, unique)
    order = [ids[3], ids[1], ids[5], ids[6], ids[0], ids[2], ids[4]]  # most severe first
    ui = server.ui_client("admin@irbox.local", server.first_password)
    queue = ui.get("/alerts", params={"source": f"sort-{unique}", "sort": "severity"}).text
    link = queue.split(f'id="row-{order[3]}"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    assert "sort=severity" in link
    walked = [order[3]]
    for step, ends in (("older", order[-1]), ("newer", order[0])):
        at = link
        while True:
            page = ui.get(at.replace("&amp;", "&")).text
            if f'id="{step}"' not in page:
                assert at.startswith(f"/alerts/{ends}?")
                break
            at = page.split(f'id="{step}"', 1)[0].rsplit('href="', 1)[1].split('"', 1)[0]
            walked.append(at.split("?", 1)[0].rsplit("/", 1)[1])
    assert walked == [order[3], *order[4:], *order[:3][::-1]]
    page = ui.get(link.replace("&amp;", "&")).text
    assert ">previous</a>" in page and ">next</a>" in page
