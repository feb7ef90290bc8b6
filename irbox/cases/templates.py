"""Case templates: what a new case starts with (title, severity, tags, description, TLP,
tasks, custom field values), applied when a case is opened with one or when an alert that
matches one of its rules is escalated into a new case. Templates are tried by name; the
first with a matching rule applies. Admins write them; anyone who reads cases reads them."""

from __future__ import annotations

import builtins
import re
from collections.abc import Sequence
from typing import Any

import msgspec
from msgspec import UNSET

from irbox import clock, ids
from irbox.alerts.models import SEVERITIES
from irbox.alerts.validation import check_tags
from irbox.cases import changes, custom_fields, tasks, validation
from irbox.cases.models import (
    TLP,
    CaseTemplate,
    CaseTemplateIn,
    CaseTemplateList,
    CaseTemplatePatch,
    TemplateRule,
    TemplateTask,
)
from irbox.errors import Errors, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.store import audit, case_tasks
from irbox.store import case_templates as templates_table
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

MAX_NAME, MAX_TASKS, MAX_RULES = 100, 100, 20
TECHNIQUE = re.compile(r"T\d{4}(\.\d{3})?")

_encode = msgspec.json.Encoder().encode
_decode_tasks = msgspec.json.Decoder(list[TemplateTask]).decode
_decode_rules = msgspec.json.Decoder(list[TemplateRule]).decode
_decode_tags = msgspec.json.Decoder(list[str]).decode


def to_template(row: RowLike) -> CaseTemplate:
    return CaseTemplate(
        id=row["id"],
        name=row["name"],
        title=row["title"],
        severity=row["severity"],
        tags=_decode_tags(row["tags"]),
        description=row["description"],
        tlp=row["tlp"],
        tasks=_decode_tasks(row["tasks"]),
        custom_fields=custom_fields.stored_values(row["custom_fields"]),
        rules=_decode_rules(row["rules"]),
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        updated_at=clock.to_rfc3339(row["updated_at"]) or "",
    )


def check(conn: Connection, data: CaseTemplateIn) -> dict[str, Any]:
    """The template's columns as stored; a 400 naming every bad key (`tasks[2].title`)."""
    errors = Errors()
    name = data.name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        errors.add("name", f"1 to {MAX_NAME} characters")
    title = data.title.strip() if data.title else None
    if title is not None:
        validation.check_title(errors, title)
    if data.severity is not None:
        validation.check_severity(errors, data.severity)
    if data.tlp is not None and data.tlp not in TLP:
        errors.add("tlp", f"one of {', '.join(TLP)}")
    description = validation.check_description(errors, data.description)
    tags = check_tags(errors, data.tags)
    if len(data.tasks) > MAX_TASKS:
        errors.add("tasks", f"at most {MAX_TASKS}")
    checked_tasks = [
        TemplateTask(
            title=tasks.check_title(errors, task.title, f"tasks[{i}].title"),
            description=tasks.check_description(
                errors, task.description, f"tasks[{i}].description"
            ),
            required=task.required,
        )
        for i, task in enumerate(data.tasks)
    ]
    fields = custom_fields.definitions(conn)
    values = custom_fields.check_values(errors, fields, data.custom_fields, clearing=False)
    rules = _check_rules(errors, data.rules)
    errors.raise_if_any("the template is invalid")
    return {
        "name": name,
        "title": title,
        "severity": data.severity,
        "tags": _encode(tags).decode(),
        "description": description,
        "tlp": data.tlp,
        "tasks": _encode(checked_tasks).decode(),
        "custom_fields": _encode(values).decode(),
        "rules": _encode(rules).decode(),
    }


def _check_rules(errors: Errors, rules: list[TemplateRule]) -> list[TemplateRule]:
    if len(rules) > MAX_RULES:
        errors.add("rules", f"at most {MAX_RULES}")
    checked = []
    for i, rule in enumerate(rules):
        technique = rule.technique.strip().upper() if rule.technique else None
        source = rule.source.strip() if rule.source else None
        tag = rule.tag.strip() if rule.tag else None
        if not (source or rule.min_severity or tag or technique):
            errors.add(f"rules[{i}]", "at least one of source, min_severity, tag, technique")
        if rule.min_severity is not None and rule.min_severity not in SEVERITIES:
            errors.add(f"rules[{i}].min_severity", f"one of {', '.join(SEVERITIES)}")
        if technique is not None and not TECHNIQUE.fullmatch(technique):
            errors.add(f"rules[{i}].technique", "an ATT&CK technique id, like T1566 or T1566.001")
        checked.append(TemplateRule(source, rule.min_severity, tag, technique))
    return checked


def matches(rule: TemplateRule, alert: RowLike) -> bool:
    """Every condition the rule gives holds for the alert."""
    tags = _decode_tags(alert["tags"])
    if rule.source is not None and alert["source"] != rule.source:
        return False
    if rule.min_severity is not None and (
        SEVERITIES.index(alert["severity"]) < SEVERITIES.index(rule.min_severity)
    ):
        return False
    if rule.tag is not None and rule.tag not in tags:
        return False
    return rule.technique is None or any(_names_technique(t, rule.technique) for t in tags)


def _names_technique(tag: str, technique: str) -> bool:
    """`T1566.001`, `attack.t1566.001` (as Sigma writes it) are of technique T1566."""
    found = tag.strip().upper().removeprefix("ATTACK.")
    return found == technique or found.startswith(technique + ".")


def for_alert(conn: Connection, alert: RowLike) -> CaseTemplate | None:
    """The first template, by name, with a rule the alert matches."""
    for row in templates_table.all_templates(conn):
        template = to_template(row)
        if any(matches(rule, alert) for rule in template.rules):
            return template
    return None


def named(conn: Connection, template_id: str) -> CaseTemplate:
    """A template a request names: an unknown one is a 400 naming `template_id`."""
    row = templates_table.get(conn, template_id)
    if row is None:
        raise ValidationFailed("no such template", {"template_id": "no such template"})
    return to_template(row)


def defaults(template: CaseTemplate | None) -> CaseTemplateIn:
    """What a case opened with this template (or none) starts from."""
    if template is None:
        return CaseTemplateIn(name="")
    return CaseTemplateIn(**{f: getattr(template, f) for f in CaseTemplateIn.__struct_fields__})


def starting_values(conn: Connection, template: CaseTemplate) -> dict[str, Any]:
    """The template's custom field values that the fields still accept (a choice may have
    been taken off a field since the template was saved)."""
    errors = Errors()
    fields = custom_fields.definitions(conn)
    values = custom_fields.check_values(errors, fields, template.custom_fields, clearing=False)
    return {k: v for k, v in values.items() if f"custom_fields.{k}" not in errors.fields}


def apply(conn: Connection, case_id: str, template: CaseTemplate, actor: Actor, now: int) -> None:
    """Add the template's tasks to the new case and say on its timeline which one applied."""
    for task in template.tasks:
        row = {
            "id": ids.new_id("tsk"),
            "case_id": case_id,
            "title": task.title,
            "description": task.description,
            "assignee": None,
            "due_at": None,
            "required": int(task.required),
            "status": "open",
            "created_at": now,
            "created_by": actor.user_id,
            "updated_at": now,
        }
        case_tasks.insert(conn, row)
    summary = f"template applied: {template.name} ({len(template.tasks)} tasks)"
    data = {"template_id": template.id, "name": template.name}
    changes.record(conn, case_id, "template_applied", actor, now, summary, data)


class TemplateService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def list(self) -> CaseTemplateList:
        rows = self.db.read(templates_table.all_templates)
        return CaseTemplateList([to_template(r) for r in rows])

    def get(self, template_id: str) -> CaseTemplate:
        return self.db.read(lambda conn: to_template(_existing(conn, template_id)))

    async def create(self, data: CaseTemplateIn, actor: Actor) -> CaseTemplate:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = check(conn, data)
            if templates_table.by_name(conn, row["name"]) is not None:
                raise ValidationFailed("a template with this name exists", {"name": "taken"})
            template_id = ids.new_id("tpl")
            templates_table.insert(
                conn, {**row, "id": template_id, "created_at": now, "updated_at": now}
            )
            audit.record(
                conn, actor.who, "template.create", template_id, now, {"name": row["name"]}
            )
            return written(templates_table.get(conn, template_id))

        return to_template(await self.writer.run(write))

    async def put_by_name(
        self, given: Sequence[CaseTemplateIn], actor: Actor
    ) -> Sequence[tuple[CaseTemplate, bool]]:
        """Create each template, or replace the one of the same name (a file imported again),
        all in one transaction: one invalid template (a 400 naming it by its place in the
        list, `[1].tasks[0].title`) saves none. Returns each one and whether it was created."""
        now = clock.now_us()

        def write(conn: Connection) -> Sequence[tuple[Row, bool]]:
            done: builtins.list[tuple[Row, bool]] = []
            for i, data in enumerate(given):
                try:
                    row = check(conn, data)
                except ValidationFailed as exc:
                    named = {f"[{i}].{k}": v for k, v in exc.details.items()}
                    raise ValidationFailed(f"template {i + 1} is invalid", named) from None
                existing = templates_table.by_name(conn, row["name"])
                if existing is None:
                    template_id = ids.new_id("tpl")
                    templates_table.insert(
                        conn, {**row, "id": template_id, "created_at": now, "updated_at": now}
                    )
                else:
                    template_id = existing["id"]
                    templates_table.update(conn, template_id, {**row, "updated_at": now})
                action = "template.create" if existing is None else "template.update"
                audit.record(conn, actor.who, action, template_id, now, {"name": row["name"]})
                done.append((written(templates_table.get(conn, template_id)), existing is None))
            return done

        return [(to_template(row), created) for row, created in await self.writer.run(write)]

    async def update(
        self, template_id: str, patch: CaseTemplatePatch, actor: Actor
    ) -> CaseTemplate:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            merged = defaults(to_template(_existing(conn, template_id)))
            for field in CaseTemplatePatch.__struct_fields__:
                if getattr(patch, field) is not UNSET:
                    setattr(merged, field, getattr(patch, field))
            row = check(conn, merged)
            other = templates_table.by_name(conn, row["name"])
            if other is not None and other["id"] != template_id:
                raise ValidationFailed("a template with this name exists", {"name": "taken"})
            templates_table.update(conn, template_id, {**row, "updated_at": now})
            changed = [
                f for f in CaseTemplatePatch.__struct_fields__ if getattr(patch, f) is not UNSET
            ]
            audit.record(conn, actor.who, "template.update", template_id, now, {"changed": changed})
            return written(templates_table.get(conn, template_id))

        return to_template(await self.writer.run(write))

    async def delete(self, template_id: str, actor: Actor) -> CaseTemplate:
        """Cases made with it keep what it gave them."""
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, template_id)
            templates_table.delete(conn, template_id)
            audit.record(
                conn, actor.who, "template.delete", template_id, now, {"name": row["name"]}
            )
            return row

        return to_template(await self.writer.run(write))

    async def save_case(self, case_id: str, name: str, actor: Actor) -> CaseTemplate:
        """A template made from a case as it stands: its title, severity, tags, description,
        TLP, custom field values and its tasks (as open tasks to do again)."""
        case = self.db.read(lambda conn: changes.existing(conn, case_id))
        task_rows = self.db.read(lambda conn: case_tasks.for_case(conn, case_id))
        data = CaseTemplateIn(
            name=name,
            title=case["title"],
            severity=case["severity"],
            tags=_decode_tags(case["tags"]),
            description=case["description"],
            tlp=case["tlp"],
            tasks=[
                TemplateTask(t["title"], t["description"], bool(t["required"])) for t in task_rows
            ],
            custom_fields=custom_fields.stored_values(case["custom_fields"]),
        )
        return await self.create(data, actor)


def _existing(conn: Connection, template_id: str) -> Row:
    row = templates_table.get(conn, template_id)
    if row is None:
        raise NotFound(f"no template {template_id}")
    return row
