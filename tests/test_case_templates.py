"""Case templates: a starter set on every data dir; admins write templates (checked, 400 naming
the key); opening a case with one fills in what the request leaves out and adds its tags,
custom field values and tasks; a rule applies one when a matching alert is escalated into a
new case (source, minimum severity, tag, ATT&CK technique)."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import user_token
from tests.harness import Server, alert

PHASES = {"Detection and analysis", "Containment", "Eradication", "Recovery", "Post-incident"}


@pytest.fixture
def template(api: httpx.Client, unique: str) -> dict:
    made = api.post(
        "/case-templates",
        json={
            "name": f"Ransomware {unique}",
            "title": "Ransomware on a file server",
            "severity": "critical",
            "tags": ["ransomware"],
            "description": "Encrypted shares.",
            "tlp": "red",
            "tasks": [
                {"title": "Isolate the server", "required": True},
                {"title": "Find patient zero", "description": "EDR timeline"},
            ],
            "rules": [
                {"tag": f"ransom-{unique}"},
                {"source": f"fw-{unique}", "min_severity": "high"},
                {"technique": "T1486"},
            ],
        },
    )
    assert made.status_code == 201, made.text
    return made.json()


def test_the_starter_set_follows_the_nist_phases(fresh_server: Server) -> None:
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        listed = api.get("/case-templates").json()["items"]
    assert [t["name"] for t in listed] == [
        "Account compromise",
        "Data exfiltration",
        "Malware on an endpoint",
        "Phishing",
    ]
    for t in listed:
        phases = {task["title"].split(":")[0] for task in t["tasks"]}
        assert phases == PHASES, t["name"]
        assert t["rules"] and any(task["required"] for task in t["tasks"])
    assert listed[1]["tlp"] == "red"


def test_templates_are_checked(api: httpx.Client, template: dict, unique: str) -> None:
    for bad, key in [
        ({"name": ""}, "name"),
        ({"name": template["name"]}, "name"),
        ({"name": f"x{unique}", "severity": "urgent"}, "severity"),
        ({"name": f"x{unique}", "tlp": "purple"}, "tlp"),
        ({"name": f"x{unique}", "tasks": [{"title": "ok"}, {"title": " "}]}, "tasks[1].title"),
        ({"name": f"x{unique}", "rules": [{}]}, "rules[0]"),
        ({"name": f"x{unique}", "rules": [{"technique": "phish"}]}, "rules[0].technique"),
        ({"name": f"x{unique}", "rules": [{"min_severity": "huge"}]}, "rules[0].min_severity"),
        ({"name": f"x{unique}", "custom_fields": {"nope": 1}}, "custom_fields.nope"),
    ]:
        refused = api.post("/case-templates", json=bad)
        assert refused.status_code == 400 and key in refused.json()["details"], refused.text
    renamed = api.patch(f"/case-templates/{template['id']}", json={"title": None, "tlp": "amber"})
    assert renamed.status_code == 200, renamed.text
    assert renamed.json()["title"] is None and renamed.json()["tasks"] == template["tasks"]
    assert api.get(f"/case-templates/{template['id']}").json()["tlp"] == "amber"
    assert api.get("/case-templates/tpl_missing").status_code == 404


def test_only_admins_write_them(server: Server, api: httpx.Client, template: dict) -> None:
    with server.client(user_token(server, api, "analyst")) as analyst:
        assert analyst.get(f"/case-templates/{template['id']}").status_code == 200
        assert analyst.post("/case-templates", json={"name": "mine"}).status_code == 403
        assert analyst.delete(f"/case-templates/{template['id']}").status_code == 403


def test_open_a_case_with_a_template(api: httpx.Client, template: dict) -> None:
    made = api.post("/cases", json={"template_id": template["id"], "tags": ["finance"]})
    assert made.status_code == 201, made.text
    case = made.json()
    assert (case["title"], case["severity"], case["tlp"]) == (
        "Ransomware on a file server",
        "critical",
        "red",
    )
    assert case["tags"] == ["ransomware", "finance"] and case["description"] == "Encrypted shares."
    assert [(t["title"], t["required"], t["status"]) for t in case["tasks"]] == [
        ("Isolate the server", True, "open"),
        ("Find patient zero", False, "open"),
    ]
    assert f"template applied: {template['name']} (2 tasks)" in [
        e["summary"] for e in case["timeline"]
    ]
    # what the request gives wins
    own = api.post(
        "/cases",
        json={"template_id": template["id"], "title": "Mine", "severity": "low", "tlp": "green"},
    ).json()
    assert (own["title"], own["severity"], own["tlp"]) == ("Mine", "low", "green")
    refused = api.post(
        "/cases", json={"template_id": "tpl_missing", "title": "x", "severity": "low"}
    )
    assert refused.status_code == 400 and "template_id" in refused.json()["details"]
    assert api.post("/cases", json={"title": "no severity"}).status_code == 400


def test_template_values_of_custom_fields(api: httpx.Client, unique: str) -> None:
    key = "team_" + unique.replace("-", "_")
    api.post(
        "/custom-fields",
        json={"key": key, "label": "Team", "type": "choice", "choices": ["red", "blue"]},
    )
    made = api.post(
        "/case-templates", json={"name": f"Team {unique}", "custom_fields": {key: "red"}}
    )
    assert made.status_code == 201, made.text
    case = api.post(
        "/cases", json={"template_id": made.json()["id"], "title": "t", "severity": "low"}
    ).json()
    assert case["custom_fields"] == {key: "red"}
    held = api.delete(f"/custom-fields/{key}")
    assert held.status_code == 409 and held.json()["details"]["templates"] == 1


def test_a_rule_applies_a_template_on_escalation(
    api: httpx.Client, template: dict, unique: str
) -> None:
    def escalate(**fields: object) -> dict:
        made = api.post("/alerts", json=alert(f"{unique}-{len(fields)}-{id(fields)}", **fields))
        answer = api.post(f"/alerts/{made.json()['id']}/escalate", json={"case_id": None})
        assert answer.status_code == 201, answer.text
        return api.get(f"/cases/{answer.json()['case_id']}").json()

    by_tag = escalate(tags=[f"ransom-{unique}"], title="Shares encrypted")
    assert by_tag["title"] == "Shares encrypted" and by_tag["tlp"] == "red"
    assert by_tag["tags"] == [f"ransom-{unique}", "ransomware"]
    assert len(by_tag["tasks"]) == 2
    assert escalate(source=f"fw-{unique}", severity="critical")["tasks"]
    assert not escalate(source=f"fw-{unique}", severity="medium")["tasks"]  # below the minimum
    assert escalate(tags=["attack.t1486"])["tasks"]  # Sigma's way of naming a technique
    assert not escalate(tags=[f"other-{unique}"])["tasks"]

    # named on the request: that one, whatever the rules say
    made = api.post("/alerts", json=alert(f"{unique}-named", tags=["plain"]))
    named = api.post(
        f"/alerts/{made.json()['id']}/escalate",
        json={"case_id": None, "template_id": template["id"]},
    )
    assert api.get(f"/cases/{named.json()['case_id']}").json()["tlp"] == "red"
    onto = api.post(
        f"/alerts/{made.json()['id']}/escalate",
        json={"case_id": named.json()["case_id"], "template_id": template["id"]},
    )
    assert onto.status_code == 400 and "template_id" in onto.json()["details"]


def test_bulk_escalation_applies_the_rule_once(
    api: httpx.Client, unique: str, template: dict
) -> None:
    ids = [
        api.post("/alerts", json=alert(f"{unique}-bulk-{n}", tags=[f"ransom-{unique}"])).json()[
            "id"
        ]
        for n in range(3)
    ]
    done = api.post("/alerts/bulk", json={"action": "escalate", "ids": ids}).json()
    case = api.get(f"/cases/{done['case_id']}").json()
    assert len(case["alerts"]) == 3 and len(case["tasks"]) == 2
