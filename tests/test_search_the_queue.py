"""Text search over the queue (`q`): every word must be a word of the alert's title,
description or one of its observable values, in any case (`power*` for the words starting
so); what people type is never query syntax; it combines with the other filters and both
orders, and a deduplicated alert is found once."""

from __future__ import annotations

import httpx

from tests.harness import Server, alert


def test_find_alerts_by_their_words(api: httpx.Client, unique: str) -> None:
    source = f"search-{unique}"
    domain = f"c2.evil-{unique}.example"
    wanted = api.post(
        "/alerts",
        json=alert(
            f"{unique}-1",
            source=source,
            title=f"Encoded PowerShell {unique}",
            description="Seen on the finance file server",
            observables=[{"type": "domain", "value": domain}],
        ),
    ).json()["id"]
    other = api.post(
        "/alerts",
        json=alert(f"{unique}-2", source=source, severity="critical", title=f"Port scan {unique}"),
    ).json()["id"]
    api.post("/alerts", json=alert(f"{unique}-1", source=source))  # the same alert again

    def found(q: str, **params: str) -> list[str]:
        answer = api.get("/alerts", params={"source": source, "q": q, **params})
        assert answer.status_code == 200, answer.text
        return [a["id"] for a in answer.json()["items"]]

    assert found(f"powershell {unique}") == [wanted]  # any case, each word
    assert found(f"Power* {unique}") == [wanted]  # words starting so
    assert found(f"Power {unique}") == []  # whole words otherwise
    assert found("finance server") == [wanted]  # the description
    assert found(domain) == [wanted]  # an observable's value
    assert found(unique) == [other, wanted]
    assert found(unique, sort="severity") == [other, wanted]
    assert found(unique, severity="critical") == [other]
    assert found(f"PowerShell {unique}", status="dismissed") == []
    assert found("shell") == []  # not the middle of a word
    for typed in ['"', "AND", "NEAR(a b)", "title:x", "*", "-x", "a OR"]:
        assert api.get("/alerts", params={"q": typed}).status_code == 200, typed


def test_the_queue_page_searches(server: Server, api: httpx.Client, unique: str) -> None:
    api.post("/alerts", json=alert(f"{unique}-q", title=f"Beacon to {unique}.example"))
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get("/alerts", params={"q": f"{unique}.example"}).text
    assert f"Beacon to {unique}.example" in page
    assert 'placeholder="words in title, description or observables"' in page
