"""POST/GET/PATCH /cases: create directly, human numbers, list filters, edits on the timeline."""

from __future__ import annotations

import httpx

from tests.conftest import user_token


def _case(api: httpx.Client, title: str, **kw: object) -> dict:
    r = api.post("/cases", json={"title": title, "severity": "medium", **kw})
    assert r.status_code == 201, r.text
    return r.json()


def test_create_case_directly(api: httpx.Client, unique: str) -> None:
    me = api.get("/me").json()
    case = _case(
        api,
        f"Phishing wave {unique}",
        description="Users report **mails**",
        tags=["phishing"],
        assignee=me["id"],
        observables=[{"type": "email", "value": "Attacker@Evil.Example"}],
        attack=["T1566.001", "t1566.002"],
    )
    assert case["id"].startswith("case_") and case["status"] == "open"
    assert case["created_by"] == me["id"] and case["assignee"] == me["id"]
    assert [o["value"] for o in case["observables"]] == ["attacker@evil.example"]
    assert [t["id"] for t in case["attack"]] == ["T1566.001", "T1566.002"]
    assert case["attack"][0]["name"] == "Spearphishing Attachment"
    assert case["attack"][0]["tactics"] == ["initial-access"]
    assert case["resolution"] is None and case["report"] is None
    assert case["alerts"] == [] and case["evidence"] == [] and case["comments"] == []
    assert api.get(f"/cases/{case['id']}").json() == case


def test_numbers_count_up(api: httpx.Client, unique: str) -> None:
    a = _case(api, f"a {unique}")["number"]
    b = _case(api, f"b {unique}")["number"]
    assert b == a + 1


def test_create_validation(api: httpx.Client) -> None:
    r = api.post(
        "/cases",
        json={
            "title": " ",
            "severity": "bad",
            "assignee": "user_01J00000000000000000000000",
            "attack": ["T1059", "T9999"],
            "observables": [{"type": "ip", "value": "nope"}],
        },
    )
    assert r.status_code == 400
    assert {"title", "severity", "attack[1]", "observables[0].value"} <= set(r.json()["details"])
    r = api.post("/cases", json={"title": "x", "severity": "low", "assignee": "user_nobody"})
    assert r.status_code == 400 and "assignee" in r.json()["details"]


def test_patch_records_each_change(api: httpx.Client, unique: str) -> None:
    case = _case(api, f"patch {unique}")
    me = api.get("/me").json()
    r = api.patch(
        f"/cases/{case['id']}",
        json={
            "title": f"patched {unique}",
            "severity": "high",
            "status": "in_progress",
            "assignee": me["id"],
            "tags": ["x", "y"],
            "attack": ["T1059.001"],
        },
    )
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["title"] == f"patched {unique}" and got["status"] == "in_progress"
    assert got["tags"] == ["x", "y"] and got["attack"][0]["id"] == "T1059.001"
    events = [(e["type"], e["data"].get("field")) for e in got["timeline"]]
    assert ("status_changed", "status") in events
    assert {f for t, f in events if t == "field_changed"} == {
        "title",
        "severity",
        "assignee",
        "tags",
        "attack",
    }
    change = next(e for e in got["timeline"] if e["data"].get("field") == "severity")
    assert change["data"] == {"field": "severity", "from": "medium", "to": "high"}
    summaries = {e["data"].get("field"): e["summary"] for e in got["timeline"]}
    assert summaries["severity"] == "severity: medium → high"
    assert summaries["status"] == "status: open → in_progress"
    assert summaries["assignee"] == f"assignee: none → {me['name'] or me['email']}"
    assert summaries["tags"] == "tags: none → x, y"
    assert summaries["attack"] == "attack: none → T1059.001"
    back = api.patch(f"/cases/{case['id']}", json={"status": "open", "assignee": None}).json()
    assert back["status"] == "open" and back["assignee"] is None
    same = api.patch(f"/cases/{case['id']}", json={"status": "open"}).json()
    assert len(same["timeline"]) == len(back["timeline"])  # no change, no event


def test_patch_rules(api: httpx.Client, unique: str) -> None:
    case = _case(api, f"rules {unique}")
    r = api.patch(f"/cases/{case['id']}", json={"status": "resolved", "attack": ["T0000"]})
    assert r.status_code == 400 and {"status", "attack[0]"} <= set(r.json()["details"])
    assert api.patch(f"/cases/{case['id']}", json={"bogus": 1}).status_code == 400
    assert api.patch("/cases/case_01J00000000000000000000000", json={}).status_code == 404
    api.post(f"/cases/{case['id']}/resolve", json={"verdict": "benign"})
    r = api.patch(f"/cases/{case['id']}", json={"title": "late"})
    assert r.status_code == 409 and r.json()["error"] == "invalid_state"


def test_list_filters_and_pages(server, api: httpx.Client, unique: str) -> None:
    analyst = user_token(server, api, "analyst")
    with server.client(analyst) as c:
        analyst_id = c.get("/me").json()["id"]
    ids = [_case(api, f"list {unique} {i}", severity="critical")["id"] for i in range(5)]
    api.patch(f"/cases/{ids[0]}", json={"assignee": analyst_id, "status": "in_progress"})
    mine = api.get("/cases", params={"assignee": analyst_id}).json()["items"]
    assert [c["id"] for c in mine] == [ids[0]]
    progress = api.get("/cases", params={"status": "in_progress"}).json()["items"]
    assert ids[0] in [c["id"] for c in progress]
    both = [("assignee", analyst_id), ("status", "open"), ("status", "in_progress")]
    assert [c["id"] for c in api.get("/cases", params=both).json()["items"]] == [ids[0]]
    unassigned = [
        c["id"]
        for c in api.get("/cases", params={"assignee": "none", "limit": 500}).json()["items"]
    ]
    assert set(ids[1:]) <= set(unassigned) and ids[0] not in unassigned
    seen, cursor = [], None
    while True:
        params = {"severity": "critical", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = api.get("/cases", params=params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) and set(ids) <= set(seen)
    assert api.get("/cases", params={"status": "closed"}).status_code == 400


def test_find_cases_by_title(api: httpx.Client, unique: str) -> None:
    wanted = _case(api, f"Phishing 100% at {unique}_HR")["id"]
    _case(api, f"Phishing 1000 at {unique}xHR")  # `%` and `_` are not wildcards
    found = api.get("/cases", params={"q": f"100% AT {unique}_hr"}).json()["items"]
    assert [c["id"] for c in found] == [wanted]  # case-insensitive
    assert api.get("/cases", params={"q": f"{unique} nothing"}).json()["items"] == []


def test_viewer_reads_but_cannot_write(server, api: httpx.Client, unique: str) -> None:
    case = _case(api, f"viewer {unique}")
    with server.client(user_token(server, api, "viewer")) as viewer:
        assert viewer.get(f"/cases/{case['id']}").status_code == 200
        r = viewer.patch(f"/cases/{case['id']}", json={"title": "no"})
        assert r.status_code == 403 and r.json()["details"]["required_scope"] == "cases:write"
        viewer_id = viewer.get("/me").json()["id"]
    # ... so a viewer is not given a case to work either
    r = api.patch(f"/cases/{case['id']}", json={"assignee": viewer_id})
    assert r.status_code == 400 and "viewer" in r.json()["details"]["assignee"]


def test_a_user_who_can_no_longer_work_cases_gives_them_up(
    server, api: httpx.Client, unique: str
) -> None:
    def analyst(name: str) -> str:
        body = {"email": f"{name.split()[0]}-{unique}@example.com", "role": "analyst", "name": name}
        return api.post("/users", json=body).json()["user"]["id"]

    demoted, disabled = analyst("Dee Moted"), analyst("Dis Abled")
    open_case = _case(api, f"open {unique}", assignee=demoted)
    done = _case(api, f"done {unique}", assignee=demoted)
    api.post(f"/cases/{done['id']}/resolve", json={"verdict": "benign", "root_cause": "x"})
    elsewhere = _case(api, f"other {unique}", assignee=disabled)

    assert api.patch(f"/users/{demoted}", json={"role": "viewer"}).status_code == 200
    assert api.patch(f"/users/{disabled}", json={"disabled": True}).status_code == 200
    me = api.get("/me").json()["id"]
    for case, user, summary in (
        (open_case, demoted, "assignee: Dee Moted → none (user made a viewer)"),
        (elsewhere, disabled, "assignee: Dis Abled → none (user disabled)"),
    ):
        got = api.get(f"/cases/{case['id']}").json()
        assert got["assignee"] is None
        event = got["timeline"][-1]
        assert event["type"] == "field_changed" and event["actor"] == me
        assert event["data"]["from"] == user and event["data"]["to"] is None
        assert event["summary"] == summary
    # a resolved case keeps who worked it
    assert api.get(f"/cases/{done['id']}").json()["assignee"] == demoted
    assert [c["id"] for c in api.get("/cases", params={"assignee": demoted}).json()["items"]] == [
        done["id"]
    ]


def test_the_assignee_is_told(server, api: httpx.Client, unique: str) -> None:
    token = user_token(server, api, "analyst")
    with server.client(token) as analyst:
        me = analyst.get("/me").json()["id"]
        given = _case(api, f"given {unique}", assignee=me)  # by the admin, at creation
        later = _case(api, f"later {unique}")
        api.patch(f"/cases/{later['id']}", json={"assignee": me, "title": f"renamed {unique}"})
        analyst.post("/cases", json={"title": f"mine {unique}", "severity": "low", "assignee": me})
        inbox = analyst.get("/me/notifications").json()["items"]
    assert [(n["kind"], n["case_id"], n["summary"]) for n in inbox] == [
        ("assigned", later["id"], f"assigned case #{later['number']}: renamed {unique}"),
        ("assigned", given["id"], f"assigned case #{given['number']}: given {unique}"),
    ]  # newest first; nothing for the case the analyst assigned to themselves
