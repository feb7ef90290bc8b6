"""Templates as files an air-gapped site carries in: TOML or JSON with the fields of
`POST /case-templates`. A file that does not parse is refused naming its line and column; one
that parses but does not fit names the key (`$.tasks[2].title`); the rules a template must
follow (lengths, known severities, custom fields) are the service's, named the same way."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import msgspec

from irbox.cases.models import CaseTemplate, CaseTemplateIn

STARTER = Path(__file__).parent / "starter_templates"
_encode = msgspec.json.Encoder().encode


class TemplateFileError(ValueError):
    """A file that is not a template, with the line or key that says why."""


def parse(name: str, content: bytes) -> CaseTemplateIn:
    """`name` (the file's) picks the format: `.json` is JSON, anything else TOML."""
    try:
        text = content.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TemplateFileError(f"{name}: not UTF-8 text (byte {exc.start})") from None
    try:
        data = json.loads(text) if name.lower().endswith(".json") else tomllib.loads(text)
    except json.JSONDecodeError as exc:
        place = f"line {exc.lineno}, column {exc.colno}"
        raise TemplateFileError(f"{name}: {place}: {exc.msg}") from None
    except tomllib.TOMLDecodeError as exc:
        raise TemplateFileError(f"{name}: {_toml_message(str(exc))}") from None
    try:
        return msgspec.convert(data, CaseTemplateIn)
    except msgspec.ValidationError as exc:
        raise TemplateFileError(f"{name}: {exc}") from None


def _toml_message(message: str) -> str:
    """tomllib says `Invalid value (at line 3, column 9)`: the place first, as JSON's."""
    found = re.search(r"\(at line (\d+), column (\d+)\)$", message)
    if not found:
        return message
    return f"line {found[1]}, column {found[2]}: {message[: found.start()].strip()}"


def starter_set() -> list[tuple[str, bytes]]:
    """The templates irbox ships (phishing, malware on an endpoint, account compromise, data
    exfiltration): (file name, content), by name."""
    return [(p.name, p.read_bytes()) for p in sorted(STARTER.glob("*.toml"))]


def file_name(template: CaseTemplate) -> str:
    """A file name for the template: its name in lower case, words joined by `-`."""
    slug = re.sub(r"[^a-z0-9]+", "-", template.name.lower()).strip("-") or template.id
    return f"{slug}.json"


def to_json(template: CaseTemplate) -> bytes:
    """The template as a file `parse` reads back: the fields a site can import."""
    fields = {f: getattr(template, f) for f in CaseTemplateIn.__struct_fields__}
    return msgspec.json.format(_encode(fields), indent=2) + b"\n"
