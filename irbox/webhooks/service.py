"""Webhook endpoints (admin): create with a secret shown once, edit, delete; deliveries."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import msgspec
from msgspec import UNSET

from irbox import clock, ids
from irbox.errors import Errors, NotFound
from irbox.identity.principal import Actor
from irbox.paging import split_page
from irbox.sealed import SecretBox
from irbox.store import audit, deliveries, webhooks
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer
from irbox.webhooks import targets
from irbox.webhooks.models import (
    EVENTS,
    FORMATS,
    Delivery,
    DeliveryPage,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookPatch,
    WebhookUpdated,
)
from irbox.webhooks.outbox import enqueue


def to_webhook(row: RowLike) -> Webhook:
    return Webhook(
        id=row["id"],
        url=row["url"],
        events=msgspec.json.decode(row["events"]),
        active=bool(row["active"]),
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        updated_at=clock.to_rfc3339(row["updated_at"]) or "",
        format=row["format"],
    )


def _check_url(errors: Errors, url: str, refused: tuple[str, ...]) -> None:
    if targets.unprintable(url):
        errors.add("url", "no spaces or control characters (encode them)")
        return
    try:
        parts = urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and len(url) <= 2000
    except ValueError:
        ok = False
    if not ok:
        errors.add("url", "an http:// or https:// URL")
        return
    why = targets.refusal(parts.hostname or "", refused)
    if why is not None:
        errors.add("url", why)


def _check_format(errors: Errors, chosen: str) -> str:
    if chosen not in FORMATS:
        errors.add("format", f"one of {', '.join(FORMATS)}")
    return chosen


def _check_events(errors: Errors, events: list[str]) -> list[str]:
    if not events:
        errors.add("events", f'at least one of {", ".join(EVENTS)}, or ["*"]')
    for i, event in enumerate(events):
        if event != "*" and event not in EVENTS:
            errors.add(f"events[{i}]", f"one of {', '.join(EVENTS)} or *")
    return list(dict.fromkeys(events))


class WebhookService:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        max_age_us: int,
        wake: Callable[[], None],
        secret_box: SecretBox,
        refused_targets: tuple[str, ...] = ("link-local",),
    ) -> None:
        self.db = db
        self.writer = writer
        self.secret_box = secret_box  # secrets are stored sealed, never in plain text
        self.max_age_us = max_age_us
        self.refused_targets = refused_targets
        self.wake = wake  # asks the dispatcher to look for due deliveries now

    async def create(self, data: WebhookCreate, actor: Actor) -> WebhookCreated:
        errors = Errors()
        _check_url(errors, data.url, self.refused_targets)
        events = _check_events(errors, data.events)
        chosen_format = _check_format(errors, data.format)
        if data.secret is not None and not 16 <= len(data.secret) <= 256:
            errors.add("secret", "16 to 256 characters")
        errors.raise_if_any("the webhook is invalid")
        secret = data.secret or secrets.token_urlsafe(32)
        now = clock.now_us()
        row: dict[str, Any] = {
            "id": ids.new_id("wh"),
            "url": data.url,
            "events": msgspec.json.encode(events).decode(),
            "secret": self.secret_box.seal(secret),
            "active": int(data.active),
            "created_at": now,
            "created_by": actor.user_id,
            "updated_at": now,
            "format": chosen_format,
        }

        def write(conn: Connection) -> None:
            webhooks.insert(conn, row)
            audit.record(conn, actor.who, "webhook.create", row["id"], now, {"url": data.url})

        await self.writer.run(write)
        return WebhookCreated(webhook=to_webhook(row), secret=secret)

    def list(self) -> list[Webhook]:
        return [to_webhook(r) for r in self.db.read(webhooks.list_all)]

    def get(self, webhook_id: str) -> Webhook:
        return to_webhook(self._existing(webhook_id))

    async def update(self, webhook_id: str, patch: WebhookPatch, actor: Actor) -> WebhookUpdated:
        errors = Errors()
        changes: dict[str, object] = {}
        if patch.url is not UNSET:
            _check_url(errors, patch.url, self.refused_targets)
            changes["url"] = patch.url
        if patch.events is not UNSET:
            changes["events"] = msgspec.json.encode(_check_events(errors, patch.events)).decode()
        if patch.active is not UNSET:
            changes["active"] = int(patch.active)
        if patch.format is not UNSET:
            changes["format"] = _check_format(errors, patch.format)
        errors.raise_if_any("the change is invalid")
        secret = secrets.token_urlsafe(32) if patch.rotate_secret else None
        if secret:
            changes["secret"] = self.secret_box.seal(secret)
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            if webhooks.get(conn, webhook_id) is None:
                raise NotFound(f"no webhook {webhook_id}")
            webhooks.update(conn, webhook_id, {**changes, "updated_at": now})
            shown = sorted(k if k != "secret" else "secret (rotated)" for k in changes)
            audit.record(conn, actor.who, "webhook.update", webhook_id, now, {"changed": shown})
            return written(webhooks.get(conn, webhook_id))

        return WebhookUpdated(webhook=to_webhook(await self.writer.run(write)), secret=secret)

    async def delete(self, webhook_id: str, actor: Actor) -> Webhook:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = webhooks.get(conn, webhook_id)
            if row is None:
                raise NotFound(f"no webhook {webhook_id}")
            webhooks.delete(conn, webhook_id)
            audit.record(conn, actor.who, "webhook.delete", webhook_id, now)
            return row

        return to_webhook(await self.writer.run(write))

    def deliveries(self, webhook_id: str, before_seq: int | None, limit: int) -> DeliveryPage:
        self._existing(webhook_id)
        rows = self.db.read(deliveries.page, webhook_id, before_seq, limit + 1)
        rows, next_cursor = split_page(rows, limit)
        return DeliveryPage([self.to_delivery(r) for r in rows], next_cursor)

    async def redeliver(self, webhook_id: str, delivery_id: str, actor: Actor) -> Delivery:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = deliveries.get(conn, delivery_id)
            if row is None or row["webhook_id"] != webhook_id:
                raise NotFound(f"no delivery {delivery_id} for webhook {webhook_id}")
            deliveries.reset(conn, delivery_id, now)
            audit.record(conn, actor.who, "webhook.redeliver", delivery_id, now)
            return written(deliveries.get(conn, delivery_id))

        delivery = self.to_delivery(await self.writer.run(write))
        self.wake()
        return delivery

    async def ping(self, webhook_id: str, actor: Actor) -> Delivery:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            if webhooks.get(conn, webhook_id) is None:
                raise NotFound(f"no webhook {webhook_id}")
            queued = enqueue(conn, "ping", None, actor, now, only_webhook=webhook_id)
            if not queued:  # an inactive webhook gets no deliveries, pings included
                raise NotFound(f"webhook {webhook_id} is not active")
            return written(deliveries.get(conn, queued[0]))

        delivery = self.to_delivery(await self.writer.run(write))
        self.wake()
        return delivery

    def to_delivery(self, row: RowLike) -> Delivery:
        pending = row["status"] == "pending"
        return Delivery(
            id=row["id"],
            webhook_id=row["webhook_id"],
            event=row["event"],
            case_id=row["case_id"],
            status=row["status"],
            attempts=row["attempts"],
            created_at=clock.to_rfc3339(row["created_at"]) or "",
            next_attempt_at=clock.to_rfc3339(row["next_attempt_at"]) if pending else None,
            last_attempt_at=clock.to_rfc3339(row["last_attempt_at"]),
            last_status_code=row["last_status_code"],
            last_error=row["last_error"],
            delivered_at=clock.to_rfc3339(row["delivered_at"]),
            retry_until=clock.to_rfc3339(row["retry_from"] + self.max_age_us) or "",
        )

    def _existing(self, webhook_id: str) -> Row:
        row = self.db.read(webhooks.get, webhook_id)
        if row is None:
            raise NotFound(f"no webhook {webhook_id}")
        return row
