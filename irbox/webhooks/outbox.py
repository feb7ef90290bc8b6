"""Queue webhook deliveries inside the transaction of the change that caused them, so that no
event is lost and none is sent for a change that rolled back. The payload bytes are fixed here:
what is signed and sent later is exactly what was stored."""

from __future__ import annotations

import msgspec

from irbox import clock, ids
from irbox.identity.principal import Actor
from irbox.store import cases, deliveries, settings, users, webhooks
from irbox.store.database import Connection, Row
from irbox.webhooks import chat

# Where links in chat messages point: the serving process records its `public_url` here at
# start (the outbox runs inside other services' transactions, far from the config).
PUBLIC_URL_SETTING = "public_url"


def enqueue(
    conn: Connection,
    event: str,
    case_id: str | None,
    actor: Actor,
    at: int,
    verdict: str | None = None,
    only_webhook: str | None = None,
    merged_into: str | None = None,
) -> list[str]:
    """Queue `event` for every active webhook that wants it; returns the delivery ids. About
    a TLP:RED case a delivery carries ids, event, time and actor only (no verdict, no title)."""
    queued = []
    hooks = webhooks.active(conn)
    # The case's marking, read only when some webhook may hear of it (every change to a case
    # passes here).
    case = cases.get(conn, case_id) if case_id and hooks else None
    red = case is not None and case["tlp"] == "red"
    for hook in hooks:
        if only_webhook is not None and hook["id"] != only_webhook:
            continue
        wanted = msgspec.json.decode(hook["events"])
        if only_webhook is None and "*" not in wanted and event not in wanted:
            continue
        delivery_id = ids.new_id("whd")
        if hook["format"] == "irbox":
            body: dict[str, object] = {"id": delivery_id, "event": event}
            if case_id is not None:
                body["case_id"] = case_id
            if verdict is not None and not red:
                body["verdict"] = verdict
            if merged_into is not None:  # an id: a TLP:RED case's delivery carries it too
                body["merged_into"] = merged_into
            body.update({"at": clock.to_rfc3339(at), "by": actor.user_id})
            payload = msgspec.json.encode(body)
        else:
            payload = _chat_message(conn, hook["format"], event, case, verdict, actor)
        deliveries.insert(
            conn,
            {
                "id": delivery_id,
                "webhook_id": hook["id"],
                "event": event,
                "case_id": case_id,
                "payload": payload,
                "created_at": at,
            },
        )
        queued.append(delivery_id)
    return queued


def _chat_message(
    conn: Connection,
    chat_format: str,
    event: str,
    case: Row | None,
    verdict: str | None,
    actor: Actor,
) -> bytes:
    """The human message, from the case and the actor as they are in this transaction; a
    TLP:RED case is named by its number only."""
    user = users.get(conn, actor.user_id) if actor.user_id else None
    by = (user["name"] or user["email"]) if user else None
    red = case is not None and case["tlp"] == "red"
    text = chat.sentence(event, case["number"] if case else None,
                         case["title"] if case and not red else None,
                         None if red else verdict, by)  # fmt: skip
    case_id = case["id"] if case else None
    base = settings.get(conn, PUBLIC_URL_SETTING)
    link = f"{base.rstrip('/')}/cases/{case_id}" if case_id and base else None
    label = f"Open case #{case['number']}" if case else "irbox"
    return chat.body(chat_format, text, link, label)
