"""Merging a case into another: its alerts, observables, evidence, comments and tasks move to
the target in one transaction; the source stays, status `merged` with `merged_into`, closed to
changes. Both timelines say so, the target's naming every item moved and where it came from
(the audit log keeps the same, for an admin who must undo it by hand); `case.merged` fires
for the source, `case.updated` for the target.

An observable both cases hold stays the target's once; the source's copy goes. Evidence files
are stored by hash, so moving one moves a row."""

from __future__ import annotations

from irbox import clock
from irbox.cases import changes
from irbox.cases.models import MergeIn
from irbox.errors import InvalidState, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.store import alerts as alerts_table
from irbox.store import attachments, case_observables, case_tasks, comments
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Row
from irbox.store.writer import Writer


class MergeService:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def merge(self, case_id: str, data: MergeIn, actor: Actor) -> str:
        """Returns the target's id."""
        if data.into == case_id:
            raise ValidationFailed("invalid merge", {"into": "a case cannot merge into itself"})
        now = clock.now_us()

        def write(conn: Connection) -> str:
            source = changes.open_case(conn, case_id)
            target = cases_table.get(conn, data.into)
            if target is None:
                raise NotFound(f"no case {data.into}")
            if target["status"] not in ("open", "in_progress"):
                raise InvalidState(
                    f"case #{target['number']} is {target['status']}; merge into an open case"
                )
            moved = _move(conn, source, target, now)
            cases_table.update(conn, case_id, {"status": "merged", "merged_into": target["id"]})
            counts = ", ".join(_count(len(v), kind) for kind, v in moved.items() if v) or "nothing"
            changes.record(
                conn,
                target["id"],
                "merged_from",
                actor,
                now,
                f"case #{source['number']} merged in: {counts}",
                {"case_id": case_id, "number": source["number"], **moved},
            )
            changes.record(
                conn,
                case_id,
                "merged_into",
                actor,
                now,
                f"merged into case #{target['number']}",
                {"case_id": target["id"], "number": target["number"]},
            )
            index_events.case_state(conn, case_id, now, "merged")
            changes.announce(conn, case_id, "case.merged", actor, now, merged_into=target["id"])
            changes.announce(conn, target["id"], "case.updated", actor, now)
            return str(target["id"])

        return await self.writer.run(write)


_NOUNS = {"alerts": "alert", "observables": "observable", "evidence": "evidence file",
          "comments": "comment", "tasks": "task"}  # fmt: skip


def _count(n: int, kind: str) -> str:
    return f"{n} {_NOUNS[kind]}{'' if n == 1 else 's'}"


def _move(conn: Connection, source: Row, target: Row, now: int) -> dict[str, list[str]]:
    """Move everything that moves; the ids of what moved, by kind."""
    source_id, target_id = source["id"], target["id"]
    held = {(o["type"], o["value"]): o for o in case_observables.for_case(conn, target_id)}
    observables = []
    for o in case_observables.for_case(conn, source_id):
        index_events.case_observable_removed(
            conn, source_id, o["type"], o["value"], o["first_seen"], now
        )
        if (o["type"], o["value"]) in held:
            case_observables.remove(conn, o["id"])
            continue
        case_observables.move(conn, o["id"], target_id)
        index_events.case_observable(
            conn, target_id, target["seq"], o["type"], o["value"], o["first_seen"]
        )
        observables.append(o["id"])
    return {
        "alerts": alerts_table.move_to_case(conn, source_id, target_id),
        "observables": observables,
        "evidence": attachments.move_to_case(conn, source_id, target_id),
        "comments": comments.move_to_case(conn, source_id, target_id),
        "tasks": case_tasks.move_to_case(conn, source_id, target_id),
    }
