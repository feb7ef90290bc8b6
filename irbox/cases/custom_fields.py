"""Custom fields: admins define typed fields (string, number, boolean, date, choice); cases,
and the templates that make them, carry values checked against those definitions. A required
field must hold a value before the case is resolved (a case escalated from an alert starts
without one), and a field some case or template still uses cannot be deleted."""

from __future__ import annotations

import math
import re
from datetime import date
from typing import Any

import msgspec
from msgspec import UNSET

from irbox import clock
from irbox.cases.models import (
    CUSTOM_FIELD_TYPES,
    CustomField,
    CustomFieldIn,
    CustomFieldList,
    CustomFieldPatch,
)
from irbox.errors import Errors, InvalidState, NotFound, ValidationFailed
from irbox.identity.principal import Actor
from irbox.store import audit, case_templates
from irbox.store import cases as cases_table
from irbox.store import custom_fields as fields_table
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

KEY = re.compile(r"[a-z][a-z0-9_]{0,39}")
MAX_LABEL, MAX_CHOICES, MAX_CHOICE, MAX_STRING = 100, 100, 100, 1000

_encode = msgspec.json.Encoder().encode
_decode_list = msgspec.json.Decoder(list[str]).decode
_decode_values = msgspec.json.Decoder(dict[str, Any]).decode


def to_field(row: RowLike) -> CustomField:
    return CustomField(
        key=row["key"],
        label=row["label"],
        type=row["type"],
        choices=_decode_list(row["choices"]),
        required=bool(row["required"]),
    )


def definitions(conn: Connection) -> dict[str, CustomField]:
    """Every field by key, in the order they were defined."""
    return {row["key"]: to_field(row) for row in fields_table.all_fields(conn)}


def stored_values(raw: str) -> dict[str, Any]:
    return _decode_values(raw)


def check_values(
    errors: Errors, fields: dict[str, CustomField], values: dict[str, Any], *, clearing: bool
) -> dict[str, Any]:
    """The values as stored, each error named `custom_fields.<key>`. With `clearing`, a null
    value stands for "remove it" and is kept as None; otherwise nulls are left out."""
    checked: dict[str, Any] = {}
    for key, value in values.items():
        path = f"custom_fields.{key}"
        field = fields.get(key)
        if field is None:
            errors.add(path, "no such custom field; see GET /custom-fields")
        elif value is None:
            if clearing:
                checked[key] = None
        else:
            problem = _problem(field, value)
            if problem:
                errors.add(path, problem)
            else:
                checked[key] = value.strip() if isinstance(value, str) else value
    return checked


def _problem(field: CustomField, value: Any) -> str | None:
    if field.type == "number":
        number = isinstance(value, int | float) and not isinstance(value, bool)
        return None if number and math.isfinite(value) else "a number"
    if field.type == "boolean":
        return None if isinstance(value, bool) else "true or false"
    if not isinstance(value, str):
        return "a string"
    if field.type == "date":
        return None if _is_date(value) else "a date, YYYY-MM-DD"
    if field.type == "choice":
        return None if value in field.choices else f"one of {', '.join(field.choices)}"
    if not value.strip() or len(value) > MAX_STRING:
        return f"1 to {MAX_STRING} characters, not blank"
    return None


def _is_date(value: str) -> bool:
    try:
        return len(value) == 10 and bool(date.fromisoformat(value))
    except ValueError:
        return False


def from_text(field: CustomField, text: str) -> Any:
    """A value typed in a form (or a file) as the field's type holds it; text that is not one
    is kept as it is, for the check to name. Empty text is no value (None)."""
    text = text.strip()
    if not text:
        return None
    if field.type == "number":
        try:
            number = float(text)
        except ValueError:
            return text
        return int(number) if number.is_integer() and "." not in text else number
    if field.type == "boolean":
        return {"true": True, "yes": True, "false": False, "no": False}.get(text.lower(), text)
    return text


def shown_value(value: Any) -> str:
    """A value as pages and reports print it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def missing_required(conn: Connection, raw_values: str) -> list[str]:
    """The keys of required fields the case holds no value for: what stops it being resolved."""
    values = stored_values(raw_values)
    return [key for key, f in definitions(conn).items() if f.required and key not in values]


def filter_values(fields: dict[str, CustomField], wanted: dict[str, str]) -> dict[str, Any]:
    """`GET /cases?cf.<key>=<value>` as values to compare with the stored ones; 400 naming
    `cf.<key>` for an unknown field or a value its type cannot hold."""
    errors = Errors()
    result: dict[str, Any] = {}
    for key, text in wanted.items():
        field = fields.get(key)
        if field is None:
            errors.add(f"cf.{key}", "no such custom field")
            continue
        value: Any = text
        if field.type == "number":
            try:
                value = float(text)
            except ValueError:
                errors.add(f"cf.{key}", "a number")
                continue
        elif field.type == "boolean":
            if text not in ("true", "false"):
                errors.add(f"cf.{key}", "true or false")
                continue
            value = text == "true"
        result[key] = value
    errors.raise_if_any("invalid filter")
    return result


class CustomFieldService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def list(self) -> CustomFieldList:
        return CustomFieldList(list(self.db.read(definitions).values()))

    def by_key(self) -> dict[str, CustomField]:
        return self.db.read(definitions)

    def get(self, key: str) -> CustomField:
        def read(conn: Connection) -> CustomField:
            return to_field(_existing(conn, key))

        return self.db.read(read)

    async def create(self, data: CustomFieldIn, actor: Actor) -> CustomField:
        errors = Errors()
        if not KEY.fullmatch(data.key):
            errors.add("key", "1 to 40 lower-case letters, digits or _, starting with a letter")
        if data.type not in CUSTOM_FIELD_TYPES:
            errors.add("type", f"one of {', '.join(CUSTOM_FIELD_TYPES)}")
        label = _label(errors, data.label)
        choices = _choices(errors, data.type, data.choices)
        errors.raise_if_any("the custom field is invalid")
        now = clock.now_us()
        row = {
            "key": data.key,
            "label": label,
            "type": data.type,
            "choices": _encode(choices).decode(),
            "required": int(data.required),
            "created_at": now,
            "updated_at": now,
        }

        def write(conn: Connection) -> Row:
            if fields_table.get(conn, data.key) is not None:
                raise ValidationFailed("a custom field with this key exists", {"key": "taken"})
            fields_table.insert(conn, row)
            audit.record(conn, actor.who, "custom_field.create", data.key, now,
                         {"label": label, "type": data.type})  # fmt: skip
            return written(fields_table.get(conn, data.key))

        return to_field(await self.writer.run(write))

    async def update(self, key: str, patch: CustomFieldPatch, actor: Actor) -> CustomField:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, key)
            errors = Errors()
            changed: dict[str, Any] = {}
            if patch.label is not UNSET:
                changed["label"] = _label(errors, patch.label)
            if patch.choices is not UNSET:
                changed["choices"] = _encode(_choices(errors, row["type"], patch.choices)).decode()
            if patch.required is not UNSET:
                changed["required"] = int(patch.required)
            errors.raise_if_any("the change is invalid")
            changed = {k: v for k, v in changed.items() if row[k] != v}
            if changed:
                fields_table.update(conn, key, {**changed, "updated_at": now})
                audit.record(conn, actor.who, "custom_field.update", key, now,
                             {"changed": sorted(changed)})  # fmt: skip
            return written(fields_table.get(conn, key))

        return to_field(await self.writer.run(write))

    async def delete(self, key: str, actor: Actor) -> CustomField:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            row = _existing(conn, key)
            in_use = cases_table.count_with_custom_field(conn, key)
            in_templates = case_templates.count_with_custom_field(conn, key)
            if in_use or in_templates:
                raise InvalidState(
                    f"{in_use} case(s) and {in_templates} template(s) hold a value for {key};"
                    " clear them first",
                    {"cases": in_use, "templates": in_templates},
                )
            fields_table.delete(conn, key)
            audit.record(conn, actor.who, "custom_field.delete", key, now, {"label": row["label"]})
            return row

        return to_field(await self.writer.run(write))


def _existing(conn: Connection, key: str) -> Row:
    row = fields_table.get(conn, key)
    if row is None:
        raise NotFound(f"no custom field {key}")
    return row


def _label(errors: Errors, label: str) -> str:
    label = label.strip()
    if not 1 <= len(label) <= MAX_LABEL:
        errors.add("label", f"1 to {MAX_LABEL} characters")
    return label


def _choices(errors: Errors, kind: str, choices: list[str]) -> list[str]:
    cleaned = [c.strip() for c in choices]
    if kind != "choice":
        if cleaned:
            errors.add("choices", "only a choice field has choices")
        return []
    if not 1 <= len(cleaned) <= MAX_CHOICES:
        errors.add("choices", f"1 to {MAX_CHOICES} values")
    elif any(not c or len(c) > MAX_CHOICE for c in cleaned):
        errors.add("choices", f"each 1 to {MAX_CHOICE} characters")
    elif len(set(cleaned)) != len(cleaned):
        errors.add("choices", "each value once")
    return cleaned
