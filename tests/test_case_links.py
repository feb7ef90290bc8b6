"""Links between cases: related, parent or child, shown on both cases (each sees its own
side), on both timelines; linking again changes the kind; unlinking removes it from both."""

from __future__ import annotations

import httpx

from tests.harness import Server


def _case(api: httpx.Client, title: str) -> dict[str, object]:
    return api.post("/cases", json={"title": title, "severity": "medium"}).json()


def test_link_both_ways_then_unlink(api: httpx.Client) -> None:
    campaign, phish = _case(api, "Campaign"), _case(api, "One phish")
    linked = api.post(f"/cases/{phish['id']}/links", json={"case_id": campaign["id"],
                                                           "kind": "parent"})  # fmt: skip
    assert linked.status_code == 200, linked.text
    assert [(x["case_id"], x["kind"], x["number"]) for x in linked.json()["links"]] == [
        (campaign["id"], "parent", campaign["number"])
    ]
    other = api.get(f"/cases/{campaign['id']}").json()
    assert [(x["case_id"], x["kind"]) for x in other["links"]] == [(phish["id"], "child")]
    assert f"linked: case #{phish['number']} is its child" in [
        e["summary"] for e in other["timeline"]
    ]
    again = api.post(f"/cases/{campaign['id']}/links", json={"case_id": phish["id"],
                                                             "kind": "related"})  # fmt: skip
    assert [x["kind"] for x in again.json()["links"]] == ["related"]
    assert [x["kind"] for x in api.get(f"/cases/{phish['id']}").json()["links"]] == ["related"]
    gone = api.delete(f"/cases/{phish['id']}/links/{campaign['id']}")
    assert gone.status_code == 200 and gone.json()["links"] == []
    assert api.get(f"/cases/{campaign['id']}").json()["links"] == []
    assert api.delete(f"/cases/{phish['id']}/links/{campaign['id']}").status_code == 404


def test_bad_links_are_refused(api: httpx.Client) -> None:
    case = _case(api, "Alone")
    itself = api.post(f"/cases/{case['id']}/links", json={"case_id": case["id"], "kind": "parent"})
    assert itself.status_code == 400 and "case_id" in itself.json()["details"]
    odd = api.post(f"/cases/{case['id']}/links", json={"case_id": "case_x", "kind": "cousin"})
    assert odd.status_code == 400 and "kind" in odd.json()["details"]
    missing = api.post(f"/cases/{case['id']}/links", json={"case_id": "case_x", "kind": "child"})
    assert missing.status_code == 404


def test_link_from_the_case_page_by_number(server: Server, api: httpx.Client) -> None:
    first, second = _case(api, "Page one"), _case(api, "Page two")
    ui = server.ui_client("admin@irbox.local", server.first_password)
    page = ui.get(f"/cases/{first['id']}").text
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    form = {"csrf_token": csrf, "kind": "child", "number": f"#{second['number']}"}
    assert ui.post(f"/cases/{first['id']}/links", data=form).is_redirect
    shown = ui.get(f"/cases/{second['id']}").text
    assert f'Parent: <a href="/cases/{first["id"]}">#{first["number"]} Page one</a>' in shown
    bad = ui.post(f"/cases/{first['id']}/links", data={**form, "number": "twelve"})
    assert bad.status_code == 400
