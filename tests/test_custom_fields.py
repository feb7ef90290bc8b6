"""Custom fields: an admin defines typed fields (string, number, boolean, date, choice); cases
carry values checked against them (400 naming the key), changes go to the timeline, the cases
list filters on them (`cf.<key>=`), a required one must hold a value before the case is
resolved, and a field in use cannot be deleted."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import user_token
from tests.harness import Server

RESOLVE = {"verdict": "true_positive", "root_cause": "mail", "narrative": "done"}


@pytest.fixture
def keys(api: httpx.Client, unique: str) -> dict[str, str]:
    """One field of each type, their keys unique to the test (the server is shared)."""
    suffix = unique.replace("-", "_")
    made = {}
    for kind, extra in [
        ("string", {}),
        ("number", {}),
        ("boolean", {}),
        ("date", {}),
        ("choice", {"choices": ["EMEA", "APAC"]}),
    ]:
        key = f"{kind}_{suffix}"
        created = api.post(
            "/custom-fields", json={"key": key, "label": kind.title(), "type": kind, **extra}
        )
        assert created.status_code == 201, created.text
        made[kind] = key
    return made


def test_define_fields(api: httpx.Client, keys: dict[str, str]) -> None:
    listed = {f["key"]: f for f in api.get("/custom-fields").json()["items"]}
    assert listed[keys["choice"]] == {
        "key": keys["choice"],
        "label": "Choice",
        "type": "choice",
        "choices": ["EMEA", "APAC"],
        "required": False,
    }
    for bad, field in [
        ({"key": "Bad Key", "label": "x", "type": "string"}, "key"),
        ({"key": "ok_key", "label": "", "type": "string"}, "label"),
        ({"key": "ok_key", "label": "x", "type": "colour"}, "type"),
        ({"key": "ok_key", "label": "x", "type": "choice"}, "choices"),
        ({"key": "ok_key", "label": "x", "type": "string", "choices": ["a"]}, "choices"),
        ({"key": keys["string"], "label": "again", "type": "string"}, "key"),
    ]:
        refused = api.post("/custom-fields", json=bad)
        assert refused.status_code == 400 and field in refused.json()["details"], refused.text
    relabelled = api.patch(
        f"/custom-fields/{keys['choice']}",
        json={"label": "Region", "choices": ["EMEA", "APAC", "AMER"]},
    )
    assert relabelled.json()["label"] == "Region" and "AMER" in relabelled.json()["choices"]
    assert api.patch(f"/custom-fields/{keys['number']}", json={"type": "string"}).status_code == 400
    assert api.get("/custom-fields/nope").status_code == 404


def test_only_admins_define_them(server: Server, api: httpx.Client, keys: dict[str, str]) -> None:
    analyst = user_token(server, api, "analyst")
    with server.client(analyst) as client:
        assert client.get("/custom-fields").status_code == 200
        refused = client.post(
            "/custom-fields", json={"key": "mine", "label": "x", "type": "string"}
        )
        assert refused.status_code == 403
        assert client.delete(f"/custom-fields/{keys['string']}").status_code == 403


def test_cases_carry_checked_values(api: httpx.Client, keys: dict[str, str]) -> None:
    values = {
        keys["string"]: " ACME ",
        keys["number"]: 3.5,
        keys["boolean"]: True,
        keys["date"]: "2026-11-30",
        keys["choice"]: "EMEA",
    }
    made = api.post("/cases", json={"title": "Fields", "severity": "low", "custom_fields": values})
    assert made.status_code == 201, made.text
    case = made.json()
    assert case["custom_fields"] == {**values, keys["string"]: "ACME"}
    for key, bad in [
        (keys["number"], "3"),
        (keys["boolean"], "yes"),
        (keys["date"], "30/11/2026"),
        (keys["choice"], "LATAM"),
        (keys["string"], ""),
        ("no_such_field", "x"),
    ]:
        refused = api.post(
            "/cases", json={"title": "x", "severity": "low", "custom_fields": {key: bad}}
        )
        assert refused.status_code == 400, refused.text
        assert list(refused.json()["details"]) == [f"custom_fields.{key}"]
        patched = api.patch(f"/cases/{case['id']}", json={"custom_fields": {key: bad}})
        assert patched.status_code == 400 and f"custom_fields.{key}" in patched.json()["details"]

    changed = api.patch(
        f"/cases/{case['id']}", json={"custom_fields": {keys["number"]: 7, keys["date"]: None}}
    )
    assert changed.status_code == 200, changed.text
    held = changed.json()["custom_fields"]
    assert held[keys["number"]] == 7 and keys["date"] not in held and held[keys["choice"]] == "EMEA"
    summaries = [e["summary"] for e in changed.json()["timeline"]]
    assert "Number: 3.5 → 7" in summaries and "Date: 2026-11-30 → none" in summaries
    listed = api.get("/cases", params={"q": "Fields"}).json()["items"]
    assert listed[0]["custom_fields"] == held


def test_the_list_filters_on_them(api: httpx.Client, keys: dict[str, str]) -> None:
    emea = api.post(
        "/cases",
        json={
            "title": "East",
            "severity": "low",
            "custom_fields": {keys["choice"]: "EMEA", keys["boolean"]: True, keys["number"]: 2},
        },
    ).json()
    apac = api.post(
        "/cases",
        json={
            "title": "West",
            "severity": "low",
            "custom_fields": {keys["choice"]: "APAC", keys["boolean"]: False, keys["number"]: 2.5},
        },
    ).json()

    def found(**wanted: str) -> list[str]:
        params = {f"cf.{keys[kind]}": value for kind, value in wanted.items()}
        answer = api.get("/cases", params=params)
        assert answer.status_code == 200, answer.text
        return [c["id"] for c in answer.json()["items"]]

    assert found(choice="EMEA") == [emea["id"]]
    assert found(boolean="false") == [apac["id"]]
    assert found(number="2") == [emea["id"]] and found(number="2.5") == [apac["id"]]
    assert found(choice="APAC", boolean="true") == []
    for params, named in [
        ({f"cf.{keys['number']}": "two"}, f"cf.{keys['number']}"),
        ({f"cf.{keys['boolean']}": "yes"}, f"cf.{keys['boolean']}"),
        ({"cf.unknown_key": "x"}, "cf.unknown_key"),
    ]:
        refused = api.get("/cases", params=params)
        assert refused.status_code == 400 and named in refused.json()["details"], refused.text


def test_a_field_in_use_is_not_deleted(api: httpx.Client, keys: dict[str, str]) -> None:
    case = api.post(
        "/cases", json={"title": "Holds", "severity": "low", "custom_fields": {keys["string"]: "x"}}
    ).json()
    refused = api.delete(f"/custom-fields/{keys['string']}")
    assert refused.status_code == 409
    assert refused.json()["details"] == {"cases": 1, "templates": 0}
    api.patch(f"/cases/{case['id']}", json={"custom_fields": {keys["string"]: None}})
    assert api.delete(f"/custom-fields/{keys['string']}").status_code == 200
    assert keys["string"] not in {f["key"] for f in api.get("/custom-fields").json()["items"]}


def test_a_required_field_must_hold_a_value_to_resolve(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        api.post(
            "/custom-fields",
            json={"key": "ticket", "label": "Ticket", "type": "string", "required": True},
        )
        case = api.post("/cases", json={"title": "Needs a ticket", "severity": "low"}).json()
        blocked = api.post(f"/cases/{case['id']}/resolve", json=RESOLVE)
        assert blocked.status_code == 409
        assert blocked.json()["details"] == {"custom_fields": ["ticket"]}
        api.patch(f"/cases/{case['id']}", json={"custom_fields": {"ticket": "INC-42"}})
        assert api.post(f"/cases/{case['id']}/resolve", json=RESOLVE).status_code == 200
        report = api.get(f"/cases/{case['id']}/report", params={"format": "md"}).text
        assert "- Ticket: INC-42" in report
        assert "<b>Ticket</b>INC-42" in api.get(f"/cases/{case['id']}/report").text
