"""Merging a case into another: its alerts, observables, evidence, comments and tasks move to
the target in one transaction; the source stays, status `merged` with `merged_into`, closed to
changes. Both timelines say so, the target's naming every item moved and where it came from
(the audit log keeps the same, for an admin who must undo it by hand); `case.merged` fires
for the source, `case.updated` for the target.

An observable both cases hold stays the target's once; the source's copy goes. Evidence files
are stored by hash, so moving one moves a row. What describes the source joins the target's
own: its tags and ATT&CK techniques are added, its custom field values fill the fields the
target leaves empty, and its links to other cases become the target's (a case the target
links already keeps the target's link). The target takes the higher severity and the stricter
TLP and PAP of the two."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox import clock
from irbox.alerts.models import SEVERITIES
from irbox.alerts.validation import MAX_TAGS
from irbox.cases import changes, custom_fields
from irbox.cases.models import INVERSE, PAP, TLP, MergeIn
from irbox.errors import InvalidState, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.store import alerts as alerts_table
from irbox.store import attachments, case_links, case_observables, case_tasks, comments
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
            moved.update(_carry(conn, source, target, actor, now))
            raised = _stricter(source, target)
            if raised:
                cases_table.update(conn, target["id"], raised)
            cases_table.update(conn, case_id, {"status": "merged", "merged_into": target["id"]})
            counts = [_count(len(v), kind) for kind, v in moved.items() if v]
            counts += [f"{_LABELS[field]} raised to {value}" for field, value in raised.items()]
            changes.record(
                conn,
                target["id"],
                "merged_from",
                actor,
                now,
                f"case #{source['number']} merged in: {', '.join(counts) or 'nothing'}",
                {"case_id": case_id, "number": source["number"], **moved, "raised": raised},
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
          "comments": "comment", "tasks": "task", "tags": "tag", "attack": "ATT&CK technique",
          "custom_fields": "custom field", "links": "link"}  # fmt: skip
_encode = msgspec.json.Encoder().encode


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


def _carry(
    conn: Connection, source: Row, target: Row, actor: Actor, now: int
) -> dict[str, list[str]]:
    """Add what describes the source to the target's own; what was added, by kind."""
    lists: dict[str, list[str]] = {}
    wanted: dict[str, Any] = {}
    for column, most in (("tags", MAX_TAGS), ("attack", None)):
        held = msgspec.json.decode(target[column] or "[]", type=list[str])
        theirs = msgspec.json.decode(source[column] or "[]", type=list[str])
        added = [v for v in theirs if v not in held]
        if most is not None:
            added = added[: max(0, most - len(held))]
        if added:
            wanted[column] = _encode(held + added).decode()
        lists[column] = added
    fields = custom_fields.stored_values(target["custom_fields"] or "{}")
    filled = {k: v for k, v in custom_fields.stored_values(source["custom_fields"] or "{}").items()
              if k not in fields}  # fmt: skip
    if filled:
        wanted["custom_fields"] = _encode({**fields, **filled}).decode()
    lists["custom_fields"] = list(filled)
    if wanted:
        cases_table.update(conn, target["id"], wanted)
    lists["links"] = _move_links(conn, source, target, actor, now)
    return lists


_LABELS = {"severity": "severity", "tlp": "TLP", "pap": "PAP"}
_ORDERS = {"severity": SEVERITIES, "tlp": TLP, "pap": PAP}


def _stricter(source: Row, target: Row) -> dict[str, str]:
    """The source's severity, TLP and PAP where they exceed the target's: the merged case holds
    the source's alerts and findings, which must not be handled or shared more loosely than
    they were marked."""
    return {
        field: source[field]
        for field, order in _ORDERS.items()
        if source[field] in order
        and target[field] in order
        and order.index(source[field]) > order.index(target[field])
    }


def _move_links(conn: Connection, source: Row, target: Row, actor: Actor, now: int) -> list[str]:
    """The source's links become the target's; the linked cases' timelines say so."""
    linked = {row["linked_id"] for row in case_links.for_case(conn, target["id"])}
    moved = []
    for link in case_links.for_case(conn, source["id"]):
        other = link["linked_id"]
        case_links.remove(conn, source["id"], other)
        case_links.remove(conn, other, source["id"])
        if other == target["id"] or other in linked:
            continue
        kind = link["kind"]
        case_links.put(conn, target["id"], other, kind, now, actor.user_id)
        case_links.put(conn, other, target["id"], INVERSE[kind], now, actor.user_id)
        summary = (
            f"linked: case #{target['number']} is its {INVERSE[kind]}"
            f" (case #{source['number']} merged into it)"
        )
        changes.record(conn, other, "linked", actor, now, summary,
                       {"case_id": target["id"], "kind": INVERSE[kind]})  # fmt: skip
        changes.announce(conn, other, "case.updated", actor, now)
        moved.append(other)
    return moved
