"""The case rules: create, read, list, edit, observables, analysts' timeline entries."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET

from irbox import clock, ids
from irbox.alerts.models import SEVERITIES, Observable, ObservableIn
from irbox.alerts.validation import check_observables, check_tags
from irbox.attack.catalogue import Catalogue
from irbox.cases import assignment, changes, custom_fields, templates, validation
from irbox.cases.case_file import read_case, to_summary
from irbox.cases.models import (
    CASE_STATUSES,
    PAP,
    TLP,
    AddedObservable,
    Case,
    CaseCreate,
    CaseObservableIn,
    CasePage,
    CasePatch,
    CaseSummary,
    RemovedObservable,
    TimelineEvent,
    TimelineIn,
)
from irbox.errors import Errors, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.index import events as index_events
from irbox.paging import split_page
from irbox.sla.targets import SlaService
from irbox.store import case_observables
from irbox.store import cases as cases_table
from irbox.store.database import Connection, Database, Row
from irbox.store.writer import Writer

_encode = msgspec.json.Encoder().encode

MAX_SUMMARY = 2000  # a timeline entry written by hand


class CaseService:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        catalogue: Catalogue,
        public_url: str,
        sla: SlaService | None = None,
    ) -> None:
        self.db = db
        self.writer = writer
        self.catalogue = catalogue
        self.public_url = public_url
        self.sla = sla  # the due times cases answer with

    def get(self, case_id: str) -> Case:
        def read(conn: Connection) -> Case:
            row = changes.existing(conn, case_id)
            return read_case(conn, row, self.catalogue, self.public_url, self.sla)

        return self.db.read(read)

    def by_status(self) -> dict[str, int]:
        return self.db.read(cases_table.count_by_status)

    def open_by_assignee(self) -> dict[str | None, int]:
        """Cases not resolved per assignee's user id (None: unassigned)."""
        return self.db.read(cases_table.unresolved_by_assignee)

    def summary(self, case_id: str) -> CaseSummary:
        """The case's row alone (a page naming the case, not showing it)."""
        return self.db.read(lambda conn: to_summary(changes.existing(conn, case_id), self.sla))

    def list(
        self,
        statuses: list[str],
        severities: list[str],
        assignee: str | None,
        before_seq: int | None,
        limit: int,
        q: str | None = None,
        fields: dict[str, str] | None = None,
    ) -> CasePage:
        """Newest first; `q` is text in the title; `fields`: custom field values by key."""
        errors = Errors()
        for name, values, allowed in (
            ("status", statuses, CASE_STATUSES),
            ("severity", severities, SEVERITIES),
        ):
            bad = [v for v in values if v not in allowed]
            if bad:
                errors.add(name, f"unknown value {bad[0]!r}; one of {', '.join(allowed)}")
        errors.raise_if_any("invalid filter")

        def read(conn: Connection) -> list[Row]:
            wanted = custom_fields.filter_values(custom_fields.definitions(conn), fields or {})
            return cases_table.page(
                conn,
                statuses=statuses,
                severities=severities,
                assignee=assignee,
                before_seq=before_seq,
                limit=limit + 1,
                title_contains=q or None,
                custom_fields=wanted,
            )

        rows = self.db.read(read)
        page, next_cursor = split_page(rows, limit)
        return CasePage(items=[to_summary(r, self.sla) for r in page], next_cursor=next_cursor)

    async def create(self, data: CaseCreate, actor: Actor) -> Case:
        """With `template_id`, the template gives what the request leaves out (title,
        severity, description, TLP), adds its tags, custom field values and tasks."""
        template_id = data.template_id
        template = self.db.read(lambda c: templates.named(c, template_id)) if template_id else None
        given = templates.defaults(template)
        errors = Errors()
        title = validation.check_title(errors, data.title or given.title or "")
        severity = data.severity or given.severity or ""
        validation.check_severity(errors, severity)
        description = validation.check_description(
            errors, given.description if data.description is None else data.description
        )
        tags = list(dict.fromkeys([*given.tags, *check_tags(errors, data.tags)]))
        attack = validation.check_attack(errors, self.catalogue, data.attack)
        observables = check_observables(errors, data.observables, "observables")
        tlp = data.tlp or given.tlp or "amber"
        tlp, pap = validation.check_marking(errors, tlp, data.pap)
        errors.raise_if_any("the case is invalid")
        now = clock.now_us()

        def write(conn: Connection) -> str:
            check = Errors()
            validation.check_assignee(conn, check, data.assignee)
            fields = custom_fields.definitions(conn)
            values = custom_fields.check_values(check, fields, data.custom_fields, clearing=False)
            check.raise_if_any("the case is invalid")
            if template:
                values = {**templates.starting_values(conn, template), **values}
            case_id = insert_case(
                conn,
                actor,
                now,
                title=title,
                severity=severity,
                description=description,
                tags=tags,
                assignee=data.assignee,
                attack=attack,
                observables=observables,
                marking=(tlp, pap),
                custom_fields=values,
            )
            if template:
                templates.apply(conn, case_id, template, actor, now)
            return case_id

        return self.get(await self.writer.run(write))

    async def update(self, case_id: str, patch: CasePatch, actor: Actor) -> Case:
        errors = Errors()
        wanted: dict[str, Any] = {}
        if patch.title is not UNSET:
            wanted["title"] = validation.check_title(errors, patch.title)
        if patch.description is not UNSET:
            wanted["description"] = validation.check_description(errors, patch.description)
        if patch.severity is not UNSET:
            validation.check_severity(errors, patch.severity)
            wanted["severity"] = patch.severity
        if patch.status is not UNSET:
            if patch.status not in ("open", "in_progress"):
                errors.add("status", "open or in_progress; resolve with POST /cases/{id}/resolve")
            wanted["status"] = patch.status
        if patch.tags is not UNSET:
            wanted["tags"] = _encode(check_tags(errors, patch.tags)).decode()
        if patch.attack is not UNSET:
            attack = validation.check_attack(errors, self.catalogue, patch.attack)
            wanted["attack"] = _encode(attack).decode()
        if patch.assignee is not UNSET:
            wanted["assignee"] = patch.assignee
        for field in ("tlp", "pap"):
            value = getattr(patch, field)
            if value is not UNSET:
                allowed = TLP if field == "tlp" else PAP
                if value not in allowed:
                    errors.add(field, f"one of {', '.join(allowed)}")
                wanted[field] = value
        errors.raise_if_any("the change is invalid")
        now = clock.now_us()

        def write(conn: Connection) -> None:
            row = changes.open_case(conn, case_id)
            check = Errors()
            if "assignee" in wanted:
                validation.check_assignee(conn, check, patch.assignee or None)
            fields = custom_fields.definitions(conn)
            values: dict[str, Any] = {}
            if patch.custom_fields is not UNSET:
                values = custom_fields.check_values(
                    check, fields, patch.custom_fields, clearing=True
                )
            check.raise_if_any("the change is invalid")
            changed = {k: v for k, v in wanted.items() if row[k] != v}
            held = custom_fields.stored_values(row["custom_fields"])
            holds = {k: v for k, v in {**held, **values}.items() if v is not None}
            if holds != held:
                changed["custom_fields"] = _encode(holds).decode()
            if not changed:
                return
            cases_table.update(conn, case_id, changed)
            changes.announce(conn, case_id, "case.updated", actor, now)
            if changed.get("assignee"):
                assignment.notify_assignee(conn, case_id, changed["assignee"], actor, now)
            for key in sorted(set(held) | set(holds), key=list(fields).index):
                if held.get(key) != holds.get(key):
                    changes.field_changed(conn, case_id, f"custom_fields.{key}",
                                          held.get(key), holds.get(key), actor, now,
                                          label=fields[key].label)  # fmt: skip
            changed.pop("custom_fields", None)
            for field, value in changed.items():
                shown = msgspec.json.decode(value) if field in ("tags", "attack") else value
                before = row[field]
                before = msgspec.json.decode(before) if field in ("tags", "attack") else before
                changes.field_changed(conn, case_id, field, before, shown, actor, now)

        await self.writer.run(write)
        return self.get(case_id)

    async def add_observable(
        self, case_id: str, item: CaseObservableIn, actor: Actor
    ) -> AddedObservable:
        errors = Errors()
        checked = check_observables(errors, [ObservableIn(item.type, item.value)], "observable")
        marking = validation.check_marking(errors, item.tlp, item.pap)
        if errors.fields:  # one observable: report the fields without the list index
            fields = {k.replace("observable[0].", ""): v for k, v in errors.fields.items()}
            raise ValidationFailed("the observable is invalid", fields)
        observable = checked[0]
        now = clock.now_us()

        def write(conn: Connection) -> AddedObservable:
            case = changes.open_case(conn, case_id)
            added = (
                add_observables(
                    conn, case_id, case["seq"], [observable], actor, now, marking=marking
                )
                == 1
            )
            if added:
                changes.announce(conn, case_id, "case.updated", actor, now)
            observable_id = case_observables.id_of(conn, case_id, observable.type, observable.value)
            return AddedObservable(observable_id or "", observable.type, observable.value, added)

        return await self.writer.run(write)

    async def remove_observable(
        self, case_id: str, observable_id: str, actor: Actor
    ) -> RemovedObservable:
        """Take an observable off the case (added by mistake, or noise): the alerts that carried
        it keep it, and the observable's search stops listing the case."""
        now = clock.now_us()

        def write(conn: Connection) -> RemovedObservable:
            changes.open_case(conn, case_id)
            row = case_observables.get(conn, case_id, observable_id)
            if row is None:
                raise NotFound(f"no observable {observable_id} in case {case_id}")
            case_observables.remove(conn, observable_id)
            index_events.case_observable_removed(
                conn, case_id, row["type"], row["value"], row["first_seen"], now
            )
            data = {"observable_id": observable_id, "type": row["type"], "value": row["value"]}
            summary = f"observable removed: {row['type']} {row['value']}"
            changes.record(conn, case_id, "observable_removed", actor, now, summary, data)
            changes.announce(conn, case_id, "case.updated", actor, now)
            return RemovedObservable(observable_id, row["type"], row["value"])

        return await self.writer.run(write)

    async def add_timeline_entry(
        self, case_id: str, entry: TimelineIn, actor: Actor
    ) -> TimelineEvent:
        errors = Errors()
        at = 0
        try:
            at = clock.parse_rfc3339(entry.at)
        except ValueError as exc:
            errors.add("at", str(exc))
        summary = entry.summary.strip()
        if not summary or len(entry.summary) > MAX_SUMMARY:
            errors.add("summary", f"1 to {MAX_SUMMARY} characters, not blank")
        errors.raise_if_any("the timeline entry is invalid")

        def write(conn: Connection) -> TimelineEvent:
            changes.existing(conn, case_id)
            now = clock.now_us()
            data = {"added_at": clock.to_rfc3339(now)}
            changes.record(conn, case_id, "note", actor, at, summary, data)
            changes.announce(conn, case_id, "case.updated", actor, now)
            # Answered as the case file shows it (its data once was `{}` here only).
            return TimelineEvent(clock.to_rfc3339(at) or "", "note", actor.user_id, summary, data)

        return await self.writer.run(write)


def insert_case(
    conn: Connection,
    actor: Actor,
    now: int,
    *,
    title: str,
    severity: str,
    description: str | None,
    tags: list[str],
    assignee: str | None,
    attack: list[str],
    observables: list[Observable],
    marking: tuple[str, str] = ("amber", "amber"),
    custom_fields: dict[str, Any] | None = None,
) -> str:
    """Create a case row with its first timeline event and observables; returns its id.
    `marking`: the case's (TLP, PAP); `custom_fields`: checked values by key."""
    case_id = ids.new_id("case")
    number = cases_table.next_number(conn)
    case_seq = cases_table.insert(
        conn,
        {
            "id": case_id,
            "number": number,
            "title": title,
            "description": description,
            "severity": severity,
            "status": "open",
            "assignee": assignee,
            "tags": _encode(tags).decode(),
            "attack": _encode(attack).decode(),
            "created_at": now,
            "created_by": actor.user_id,
            "updated_at": now,
            "tlp": marking[0],
            "pap": marking[1],
            "custom_fields": _encode(custom_fields or {}).decode(),
        },
    )
    summary = f"case #{number} created"
    changes.record(conn, case_id, "created", actor, now, summary, {"title": title})
    index_events.case_state(conn, case_id, now, "created")
    changes.announce(conn, case_id, "case.created", actor, now)
    add_observables(conn, case_id, case_seq, observables, actor, now)
    assignment.notify_assignee(conn, case_id, assignee, actor, now)
    return case_id


def add_observables(
    conn: Connection,
    case_id: str,
    case_seq: int,
    observables: list[Observable],
    actor: Actor,
    now: int,
    alert_id: str | None = None,
    marking: tuple[str, str] = ("amber", "amber"),
) -> int:
    """Add the observables the case lacks, one timeline event each; returns how many were new."""
    added = 0
    for o in observables:
        observable_id = case_observables.add(
            conn, case_id, o.type, o.value, now, actor.user_id, marking
        )
        if observable_id is not None:
            added += 1
            index_events.case_observable(conn, case_id, case_seq, o.type, o.value, now)
            data = {"observable_id": observable_id, "type": o.type, "value": o.value}
            if alert_id:
                data["alert_id"] = alert_id
            summary = f"observable added: {o.type} {o.value}"
            changes.record(conn, case_id, "observable_added", actor, now, summary, data)
    return added
