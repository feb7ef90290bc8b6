"""A user's notifications (mentions in comments, cases assigned to them), shown in the UI and at
/me/notifications."""

from __future__ import annotations

import msgspec

from irbox import clock
from irbox.paging import split_page
from irbox.store import notifications as notifications_table
from irbox.store.database import Database
from irbox.store.writer import Writer


class Notification(msgspec.Struct):
    id: str
    kind: str
    case_id: str | None
    comment_id: str | None
    summary: str
    created_at: str
    read_at: str | None


class NotificationPage(msgspec.Struct):
    items: list[Notification]
    next_cursor: str | None


class MarkRead(msgspec.Struct, forbid_unknown_fields=True):
    ids: list[str] | None = None  # None: all of the caller's notifications


class Marked(msgspec.Struct):
    marked: int


class NotificationService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def page(
        self, user_id: str, unread_only: bool, before_seq: int | None, limit: int
    ) -> NotificationPage:
        rows = self.db.read(notifications_table.page, user_id, unread_only, before_seq, limit + 1)
        rows, next_cursor = split_page(rows, limit)
        items = [
            Notification(
                r["id"],
                r["kind"],
                r["case_id"],
                r["comment_id"],
                r["summary"],
                clock.to_rfc3339(r["created_at"]) or "",
                clock.to_rfc3339(r["read_at"]),
            )
            for r in rows
        ]
        return NotificationPage(items=items, next_cursor=next_cursor)

    def unread_count(self, user_id: str) -> int:
        return self.db.read(notifications_table.unread_count, user_id)

    async def mark_read(self, user_id: str, data: MarkRead) -> Marked:
        now = clock.now_us()
        count = await self.writer.run(
            lambda conn: notifications_table.mark_read(conn, user_id, data.ids, now)
        )
        return Marked(marked=count)
