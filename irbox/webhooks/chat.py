"""Chat formats: a short human message for a chat service's incoming webhook (Slack,
Mattermost, Microsoft Teams workflows), instead of the event as JSON. It says what happened to
which case, with a link back; signed like every delivery (`X-IR-Signature`), which the chat
services ignore and a relay in between may check."""

from __future__ import annotations

from typing import Any

import msgspec

WHAT = {
    "case.created": "opened",
    "case.updated": "updated",
    "case.alert_added": "got a new alert",
    "case.resolved": "resolved",
    "case.reopened": "reopened",
    "case.sla_breached": "breached its SLA (not resolved in time)",
    "case.merged": "merged into another case",
}


def sentence(event: str, number: int | None, title: str | None, verdict: str | None,
             by: str | None) -> str:  # fmt: skip
    """`Case #12 resolved (true positive): Phishing at ACME, by Ana Lee`."""
    if event == "ping":
        return "irbox webhook test (ping): this channel will hear about cases."
    what = WHAT.get(event, event)
    if verdict:
        what += f" ({verdict.replace('_', ' ')})"
    text = f"Case #{number} {what}"
    if title:
        text += f": {title}"
    return text + (f", by {by}" if by else "")


def body(chat: str, text: str, link: str | None, label: str) -> bytes:
    """The message in `chat`'s incoming-webhook JSON; `link` opens the case (`label` names
    it)."""
    message: dict[str, Any]
    if chat == "slack":  # mrkdwn: <url|label>; & < > escaped as Slack asks
        shown = _slack_escape(text)
        message = {"text": shown + (f" <{link}|{_slack_escape(label)}>" if link else "")}
    elif chat == "mattermost":  # Markdown link
        message = {"text": text + (f" [{_markdown_escape(label)}]({link})" if link else ""),
                   "username": "irbox"}  # fmt: skip
    else:  # teams: a Workflows "message" with an Adaptive Card (Office 365 connectors retire)
        card: dict[str, Any] = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": [{"type": "TextBlock", "text": text, "wrap": True}],
        }
        if link:
            card["actions"] = [{"type": "Action.OpenUrl", "title": label, "url": link}]
        message = {"type": "message", "attachments": [
            {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
        ]}  # fmt: skip
    return msgspec.json.encode(message)


def _slack_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _markdown_escape(text: str) -> str:
    return "".join("\\" + c if c in "[]()\\*_`" else c for c in text)
