"""What crosses the API for webhooks."""

from __future__ import annotations

import msgspec
from msgspec import UNSET, UnsetType

EVENTS = ("case.created", "case.updated", "case.alert_added", "case.resolved", "case.reopened",
          "case.sla_breached", "case.merged")  # fmt: skip
# The body sent: the event as JSON (irbox), or a chat service's message (webhooks.chat).
FORMATS = ("irbox", "slack", "mattermost", "teams")


class Webhook(msgspec.Struct):
    id: str
    url: str
    events: list[str]
    active: bool
    created_at: str
    updated_at: str
    format: str = "irbox"  # irbox (the event as JSON), slack, mattermost or teams


class WebhookCreated(msgspec.Struct):
    webhook: Webhook
    secret: str  # shown once


class WebhookList(msgspec.Struct):
    items: list[Webhook]
    next_cursor: str | None = None


class WebhookCreate(msgspec.Struct, forbid_unknown_fields=True):
    url: str
    events: list[str]
    secret: str | None = None
    active: bool = True
    format: str = "irbox"


class WebhookPatch(msgspec.Struct, forbid_unknown_fields=True):
    url: str | UnsetType = UNSET
    events: list[str] | UnsetType = UNSET
    active: bool | UnsetType = UNSET
    format: str | UnsetType = UNSET
    rotate_secret: bool = False


class WebhookUpdated(msgspec.Struct):
    webhook: Webhook
    secret: str | None = None  # only when rotated: shown once


class Delivery(msgspec.Struct):
    id: str
    webhook_id: str
    event: str
    case_id: str | None
    status: str  # pending, delivered, failed
    attempts: int
    created_at: str
    next_attempt_at: str | None
    last_attempt_at: str | None
    last_status_code: int | None
    last_error: str | None
    delivered_at: str | None
    retry_until: str  # retried until then, then failed


class DeliveryPage(msgspec.Struct):
    items: list[Delivery]
    next_cursor: str | None
