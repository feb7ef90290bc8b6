"""Saved views: a user names the queue's filters (status, severity, source, tag, text, order)
and gets them back as a tab. Each user's own: nobody else lists or deletes them."""

from __future__ import annotations

import msgspec

from irbox import clock, ids
from irbox.alerts.filters import parse_filter
from irbox.errors import Errors, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.store import saved_views as views_table
from irbox.store.database import Connection, Database, Row, RowLike
from irbox.store.writer import Writer

MAX_VIEWS, MAX_NAME = 20, 40


class ViewFilters(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """The queue's filters as its URL carries them (comma lists allowed)."""

    status: str | None = None
    severity: str | None = None
    source: str | None = None
    tag: str | None = None
    q: str | None = None
    sort: str | None = None


class SavedViewIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    filters: ViewFilters


class SavedView(msgspec.Struct):
    id: str  # view_…
    name: str
    filters: ViewFilters
    created_at: str


class SavedViewList(msgspec.Struct):
    items: list[SavedView]


def to_view(row: RowLike) -> SavedView:
    return SavedView(
        id=row["id"],
        name=row["name"],
        filters=msgspec.json.decode(row["filters"], type=ViewFilters),
        created_at=clock.to_rfc3339(row["created_at"]) or "",
    )


class SavedViewService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def list(self, user_id: str) -> SavedViewList:
        return SavedViewList([to_view(r) for r in self.db.read(views_table.of_user, user_id)])

    async def save(self, user_id: str, data: SavedViewIn, actor: Actor) -> SavedView:
        errors = Errors()
        name = data.name.strip()
        if not 1 <= len(name) <= MAX_NAME:
            errors.add("name", f"1 to {MAX_NAME} characters")
        f = data.filters
        try:
            parse_filter(f.status, f.severity, f.source, None, None, f.q, f.tag, f.sort)
        except ValidationFailed as exc:
            for key, problem in exc.details.items():
                errors.add(f"filters.{key}", problem)
        errors.raise_if_any("the view is invalid")
        kept = ViewFilters(**{k: v for k, v in msgspec.structs.asdict(f).items() if v})
        now = clock.now_us()
        row = {"id": ids.new_id("view"), "user_id": user_id, "name": name,
               "filters": msgspec.json.encode(kept).decode(), "created_at": now}  # fmt: skip

        def write(conn: Connection) -> None:
            if views_table.named(conn, user_id, name) is not None:
                raise ValidationFailed("a view with this name exists", {"name": "taken"})
            if len(views_table.of_user(conn, user_id)) >= MAX_VIEWS:
                raise ValidationFailed("too many views", {"name": f"at most {MAX_VIEWS} views"})
            views_table.insert(conn, row)

        await self.writer.run(write)
        return to_view(row)

    async def delete(self, user_id: str, view_id: str, actor: Actor) -> SavedView:
        def write(conn: Connection) -> Row:
            row = views_table.delete(conn, user_id, view_id)
            if row is None:
                raise NotFound(f"no view {view_id}")
            return row

        return to_view(await self.writer.run(write))
