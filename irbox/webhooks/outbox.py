"""Queue webhook deliveries inside the transaction of the change that caused them, so that no
event is lost and none is sent for a change that rolled back. The payload bytes are fixed here:
what is signed and sent later is exactly what was stored."""

from __future__ import annotations

import sqlite3

import msgspec

from irbox import clock, ids
from irbox.identity.principal import Actor
from irbox.store import deliveries, webhooks


def enqueue(
    conn: sqlite3.Connection,
    event: str,
    case_id: str | None,
    actor: Actor,
    at: int,
    verdict: str | None = None,
    only_webhook: str | None = None,
) -> list[str]:
    """Queue `event` for every active webhook that wants it; returns the delivery ids."""
    queued = []
    for hook in webhooks.active(conn):
        if only_webhook is not None and hook["id"] != only_webhook:
            continue
        wanted = msgspec.json.decode(hook["events"])
        if only_webhook is None and "*" not in wanted and event not in wanted:
            continue
        delivery_id = ids.new_id("whd")
        body: dict[str, object] = {"id": delivery_id, "event": event}
        if case_id is not None:
            body["case_id"] = case_id
        if verdict is not None:
            body["verdict"] = verdict
        body.update({"at": clock.to_rfc3339(at), "by": actor.user_id})
        deliveries.insert(
            conn,
            {
                "id": delivery_id,
                "webhook_id": hook["id"],
                "event": event,
                "case_id": case_id,
                "payload": msgspec.json.encode(body),
                "created_at": at,
            },
        )
        queued.append(delivery_id)
    return queued
