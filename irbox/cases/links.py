"""Links between cases: related, parent or child, shown on both cases (each sees the other's
side: A's parent has A as its child), on both timelines, sent as `case.updated` for both."""

from __future__ import annotations

from irbox import clock
from irbox.cases import changes
from irbox.cases.models import INVERSE, LINK_KINDS, LinkIn
from irbox.errors import Errors, NotFound
from irbox.identity.principal import Actor
from irbox.store import case_links
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer


class LinkService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def id_of_number(self, number: int) -> str:
        found = self.db.read(lambda conn: cases_table.id_of_number(conn, number))
        if found is None:
            raise NotFound(f"no case #{number}")
        return found

    async def link(self, case_id: str, data: LinkIn, actor: Actor) -> None:
        errors = Errors()
        if data.kind not in LINK_KINDS:
            errors.add("kind", f"one of {', '.join(LINK_KINDS)}")
        if data.case_id == case_id:
            errors.add("case_id", "a case cannot be linked to itself")
        errors.raise_if_any("the link is invalid")
        now = clock.now_us()

        def write(conn: Connection) -> None:
            this = changes.existing(conn, case_id)
            other = cases_table.get(conn, data.case_id)
            if other is None:
                raise NotFound(f"no case {data.case_id}")
            case_links.put(conn, case_id, data.case_id, data.kind, now, actor.user_id)
            case_links.put(conn, data.case_id, case_id, INVERSE[data.kind], now, actor.user_id)
            for row, seen, kind in ((this, other, data.kind), (other, this, INVERSE[data.kind])):
                summary = f"linked: case #{seen['number']} is its {kind}"
                changes.record(conn, row["id"], "linked", actor, now, summary,
                               {"case_id": seen["id"], "kind": kind})  # fmt: skip
                changes.announce(conn, row["id"], "case.updated", actor, now)

        await self.writer.run(write)

    async def unlink(self, case_id: str, other_id: str, actor: Actor) -> None:
        now = clock.now_us()

        def write(conn: Connection) -> None:
            this = changes.existing(conn, case_id)
            if not case_links.remove(conn, case_id, other_id):
                raise NotFound(f"case {case_id} has no link to {other_id}")
            case_links.remove(conn, other_id, case_id)
            other = changes.existing(conn, other_id)
            for row, seen in ((this, other), (other, this)):
                summary = f"unlinked from case #{seen['number']}"
                changes.record(conn, row["id"], "unlinked", actor, now, summary,
                               {"case_id": seen["id"]})  # fmt: skip
                changes.announce(conn, row["id"], "case.updated", actor, now)

        await self.writer.run(write)
