"""Webhooks in a chat service's format (Slack, Mattermost, Teams): a short human message with
the case's number and title and a link back, in that service's incoming-webhook JSON, still
signed with `X-IR-Signature`; checked field by field as the receiver got them."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest

from irbox.webhooks.sender import signature
from tests.harness import Server
from tests.receiver import Receiver

EVENTS = ["case.created", "case.resolved"]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def _hook(api: httpx.Client, url: str, chat: str) -> str:
    made = api.post("/webhooks", json={"url": url, "events": EVENTS, "format": chat})
    assert made.status_code == 201, made.text
    assert made.json()["webhook"]["format"] == chat
    return made.json()["secret"]


def _case(api: httpx.Client) -> tuple[str, int]:
    case = api.post("/cases", json={"title": "Phishing <at> ACME & co", "severity": "high"})
    case_id = case.json()["id"]
    resolved = api.post(
        f"/cases/{case_id}/resolve",
        json={"verdict": "true_positive", "root_cause": "mail", "narrative": "done"},
    )
    assert resolved.status_code == 200
    return case_id, case.json()["number"]


def test_slack(server: Server, admin_token: str, receiver: Receiver) -> None:
    with server.client(admin_token) as api:
        secret = _hook(api, receiver.url, "slack")
        case_id, number = _case(api)
    got = sorted(
        receiver.wait_for_deliveries(2), key=lambda r: b" resolved " in r.body
    )  # sent at once
    created, resolved = (json.loads(r.body) for r in got)
    link = f"{server.url}/cases/{case_id}"
    assert created == {
        "text": f"Case #{number} opened: Phishing &lt;at&gt; ACME &amp; co, by Admin"
        f" <{link}|Open case #{number}>"
    }
    assert resolved["text"].startswith(f"Case #{number} resolved (true positive): ")
    assert got[0].headers["X-IR-Signature"] == signature(secret, got[0].body)


def test_mattermost_and_teams(server: Server, admin_token: str) -> None:
    mattermost, teams = Receiver().start(), Receiver().start()
    try:
        with server.client(admin_token) as api:
            _hook(api, mattermost.url, "mattermost")
            secret = _hook(api, teams.url, "teams")
            case_id, number = _case(api)
        link = f"{server.url}/cases/{case_id}"
        said = next(
            json.loads(r.body) for r in mattermost.wait_for_deliveries(2) if b" opened" in r.body
        )
        assert said == {
            "text": f"Case #{number} opened: Phishing <at> ACME & co, by Admin"
            f" [Open case #{number}]({link})",
            "username": "irbox",
        }
        got = sorted(teams.wait_for_deliveries(2), key=lambda r: b" resolved " in r.body)
        card = json.loads(got[1].body)
        assert card["type"] == "message"
        attachment = card["attachments"][0]
        assert attachment["contentType"] == "application/vnd.microsoft.card.adaptive"
        content = attachment["content"]
        assert content["type"] == "AdaptiveCard" and content["version"] == "1.4"
        assert content["body"] == [
            {
                "type": "TextBlock",
                "text": f"Case #{number} resolved (true positive): Phishing <at> ACME & co,"
                " by Admin",
                "wrap": True,
            }
        ]
        assert content["actions"] == [
            {"type": "Action.OpenUrl", "title": f"Open case #{number}", "url": link}
        ]
        assert got[1].headers["X-IR-Signature"] == signature(secret, got[1].body)
    finally:
        mattermost.stop()
        teams.stop()


def test_an_unknown_format_is_refused_and_the_default_is_irbox(
    server: Server, admin_token: str, receiver: Receiver
) -> None:
    with server.client(admin_token) as api:
        refused = api.post(
            "/webhooks", json={"url": receiver.url, "events": ["*"], "format": "discord"}
        )
        assert refused.status_code == 400
        assert "one of irbox, slack, mattermost, teams" in refused.json()["details"]["format"]
        made = api.post("/webhooks", json={"url": receiver.url, "events": ["*"]}).json()
        assert made["webhook"]["format"] == "irbox"
        hook_id = made["webhook"]["id"]
        patched = api.patch(f"/webhooks/{hook_id}", json={"format": "slack"})
        assert patched.json()["webhook"]["format"] == "slack"
        api.post(f"/webhooks/{hook_id}/ping")
    ping = json.loads(receiver.wait_for(1)[0].body)
    assert ping == {"text": "irbox webhook test (ping): this channel will hear about cases."}
