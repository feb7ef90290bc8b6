"""Reading the audit log (writes happen inside each service's own transactions)."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox import clock
from irbox.paging import split_page
from irbox.store import audit
from irbox.store.database import Database


class AuditEntry(msgspec.Struct):
    at: str
    action: str
    entity_id: str | None
    actor: str | None
    key_id: str | None
    ip: str | None
    data: dict[str, Any]


class AuditPage(msgspec.Struct):
    items: list[AuditEntry]
    next_cursor: str | None


class AuditLog:
    def __init__(self, db: Database) -> None:
        self.db = db

    def page(self, before_seq: int | None, limit: int) -> AuditPage:
        rows = self.db.read(audit.page, before_seq, limit + 1)
        rows, next_cursor = split_page(rows, limit)
        items = [
            AuditEntry(
                at=clock.to_rfc3339(r["at"]),
                action=r["action"],
                entity_id=r["entity_id"],
                actor=r["actor"],
                key_id=r["key_id"],
                ip=r["ip"],
                data=msgspec.json.decode(r["data"] or "{}"),
            )
            for r in rows
        ]
        return AuditPage(items=items, next_cursor=next_cursor)
