"""The served OpenAPI document: Litestar's, made truthful about what the API answers.

Litestar derives paths, parameters and schemas from the handlers and the msgspec Structs. What it
cannot know is added here, from what the routes declare rather than by hand per route:
- every error answers one `Error` schema (Litestar's own error body appears nowhere);
- each operation lists every status its checks can answer: the guard's (401, 403 naming the
  scope, 423 unless the route works while locked, 429 with `Retry-After`), the body's (400, 413),
  404 for a path naming a thing, 409 for writes, 503 when storage is unusable;
- per operation, the bearer scheme with the scopes it needs (OpenAPI 3.1 lets a non-OAuth
  scheme list the roles an operation requires);
- the constraints the services enforce on plain strings and integers: enums, `date-time`,
  the bounds of `limit`.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import msgspec
from litestar import Litestar
from litestar.handlers import HTTPRouteHandler

from irbox.alerts.batch import MAX_ITEMS as BATCH_ITEMS
from irbox.alerts.filters import SORTS
from irbox.alerts.models import REASON_CODES, SEVERITIES, STATUSES
from irbox.alerts.saved_views import MAX_NAME as VIEW_NAME
from irbox.alerts.validation import MAX_DESCRIPTION as ALERT_DESCRIPTION
from irbox.alerts.validation import MAX_OBSERVABLES, MAX_TAG, MAX_TAGS, SOURCE_PATTERN
from irbox.cases.bulk import ACTIONS as BULK_ACTIONS
from irbox.cases.bulk import MAX_ALERTS as BULK_MAX
from irbox.cases.comments import MAX_BODY, MAX_MENTIONS
from irbox.cases.custom_fields import KEY as FIELD_KEY
from irbox.cases.custom_fields import MAX_CHOICE as FIELD_CHOICE
from irbox.cases.custom_fields import MAX_CHOICES as FIELD_CHOICES
from irbox.cases.custom_fields import MAX_LABEL as FIELD_LABEL
from irbox.cases.grouping import BY as GROUPING_BY
from irbox.cases.grouping import LONGEST_M as GROUPING_LONGEST
from irbox.cases.grouping import MAX_SOURCE as GROUPING_SOURCE
from irbox.cases.models import (
    CASE_STATUSES,
    CUSTOM_FIELD_TYPES,
    LINK_KINDS,
    PAP,
    TASK_STATUSES,
    TLP,
    VERDICTS,
)
from irbox.cases.resolution import MAX_NARRATIVE, MAX_ROOT_CAUSE
from irbox.cases.service import MAX_SUMMARY
from irbox.cases.tasks import MAX_DESCRIPTION as TASK_DESCRIPTION
from irbox.cases.tasks import MAX_TITLE as TASK_TITLE
from irbox.cases.templates import MAX_NAME as TEMPLATE_NAME
from irbox.cases.templates import MAX_RULES as TEMPLATE_RULES
from irbox.cases.templates import MAX_TASKS as TEMPLATE_TASKS
from irbox.cases.validation import MAX_DESCRIPTION as CASE_DESCRIPTION
from irbox.cases.validation import MAX_TITLE
from irbox.errors import DomainError
from irbox.identity.api_keys import MAX_NAME
from irbox.identity.scopes import ROLES, SCOPES
from irbox.identity.users import MIN_PASSWORD
from irbox.observables.normalize import MAX_VALUE
from irbox.observables.normalize import TYPES as OBSERVABLE_TYPES
from irbox.observables.suppression import MAX_REASON
from irbox.paging import MAX_LIMIT
from irbox.sla.targets import LONGEST_M
from irbox.web.api import API_PREFIX
from irbox.web.uploads import MAX_FIELD
from irbox.webhooks.models import EVENTS, FORMATS

ERROR_REF = {"$ref": "#/components/schemas/Error"}
RETRY_AFTER = {
    "Retry-After": {
        "description": "whole seconds to wait before trying again",
        "schema": {"type": "integer", "minimum": 1},
    }
}
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}


def _comma_list(values: Iterable[str]) -> str:
    """One value, or several joined by commas (as the queue's filters take them)."""
    choice = "|".join(sorted(values))
    return f"^({choice})(,({choice}))*$"


SCALAR = {"type": ["string", "number", "boolean", "null"]}  # an asset's field
# http(s), a host, no white space or control characters
URL = r"^https?://[^/?#\s\x00-\x1f\x7f-\x9f]+([/?#][^\s\x00-\x1f\x7f-\x9f]*)?$"
VISIBLE = r"[^\s\x1c-\x1f\x85]"  # not white space to Python's strip() either (NOT_BLANK)
CHOICES = {"maxItems": FIELD_CHOICES,
           "items": {"minLength": 1, "maxLength": FIELD_CHOICE, "pattern": VISIBLE}}  # fmt: skip

# Strings the services check against a closed set, by the Struct field that carries them.
ENUMS: dict[tuple[str, str], Iterable[str]] = {
    ("AlertIn", "severity"): SEVERITIES,
    ("Alert", "severity"): SEVERITIES,
    ("AlertSummary", "severity"): SEVERITIES,
    ("Alert", "status"): STATUSES,
    ("AlertSummary", "status"): STATUSES,
    ("IngestResult", "status"): STATUSES,
    ("DismissIn", "reason_code"): REASON_CODES,
    ("Dismissal", "reason_code"): REASON_CODES,
    ("CaseCreate", "severity"): SEVERITIES,
    ("CasePatch", "severity"): SEVERITIES,
    ("Case", "severity"): SEVERITIES,
    ("CaseSummary", "severity"): SEVERITIES,
    ("Case", "status"): CASE_STATUSES,
    ("CaseSummary", "status"): CASE_STATUSES,
    ("CasePatch", "status"): ("open", "in_progress"),
    ("ResolveIn", "verdict"): VERDICTS,
    ("Resolution", "verdict"): VERDICTS,
    ("ObservableIn", "type"): OBSERVABLE_TYPES,
    ("Observable", "type"): OBSERVABLE_TYPES,
    ("CaseObservable", "type"): OBSERVABLE_TYPES,
    ("SuppressIn", "type"): OBSERVABLE_TYPES,
    ("Suppression", "type"): OBSERVABLE_TYPES,
    ("BulkIn", "action"): BULK_ACTIONS,
    ("BulkIn", "reason_code"): REASON_CODES,
    ("UserCreate", "role"): ROLES,
    ("UserPatch", "role"): ROLES,
    ("User", "role"): ROLES,
    ("Me", "role"): ROLES,
    ("Webhook", "format"): FORMATS,
    ("WebhookCreate", "format"): FORMATS,
    ("WebhookPatch", "format"): FORMATS,
    ("Subscriptions", "new_alert_min_severity"): SEVERITIES,
    ("CaseCreate", "tlp"): TLP,
    ("CaseCreate", "pap"): PAP,
    ("CasePatch", "tlp"): TLP,
    ("CasePatch", "pap"): PAP,
    ("CaseSummary", "tlp"): TLP,
    ("CaseSummary", "pap"): PAP,
    ("Case", "tlp"): TLP,
    ("Case", "pap"): PAP,
    ("CaseObservable", "tlp"): TLP,
    ("CaseObservable", "pap"): PAP,
    ("CaseObservableIn", "tlp"): TLP,
    ("CaseObservableIn", "pap"): PAP,
    ("TaskPatch", "status"): TASK_STATUSES,
    ("Task", "status"): TASK_STATUSES,
    ("LinkIn", "kind"): LINK_KINDS,
    ("CaseLink", "kind"): LINK_KINDS,
    ("CustomFieldIn", "type"): CUSTOM_FIELD_TYPES,
    ("CustomField", "type"): CUSTOM_FIELD_TYPES,
    ("CaseTemplateIn", "severity"): SEVERITIES,
    ("CaseTemplateIn", "tlp"): TLP,
    ("CaseTemplatePatch", "severity"): SEVERITIES,
    ("CaseTemplatePatch", "tlp"): TLP,
    ("CaseTemplate", "severity"): SEVERITIES,
    ("CaseTemplate", "tlp"): TLP,
    ("TemplateRule", "min_severity"): SEVERITIES,
    ("GroupingRuleIn", "by"): GROUPING_BY,
    ("GroupingRule", "by"): GROUPING_BY,
    ("ViewFilters", "sort"): SORTS,
    ("CaseObservableIn", "type"): OBSERVABLE_TYPES,
}
# Query parameters with a closed set, on every operation that takes them.
QUERY_ENUMS: dict[tuple[str, str], Iterable[str]] = {
    ("/alerts", "status"): STATUSES,
    ("/alerts", "severity"): SEVERITIES,
    ("/cases", "status"): CASE_STATUSES,
    ("/cases", "severity"): SEVERITIES,
    ("/observables/search", "type"): OBSERVABLE_TYPES,
    ("/cases/{case_id}/report", "format"): ("html", "md"),
}
# Query parameters with a shape.
QUERY_PATTERNS: dict[tuple[str, str], str] = {
    # 1 to 366 days, or 1 to 8,784 hours (the same year)
    ("/stats", "window"): r"^(([1-9]|[1-9][0-9]|[12][0-9]{2}|3[0-5][0-9]|36[0-6])d"
    r"|([1-9][0-9]{0,2}|[1-7][0-9]{3}|8[0-6][0-9]{2}|87[0-7][0-9]|878[0-4])h)$",
}
# Timestamps: RFC 3339 (any offset in, UTC with `Z` out).
TIMESTAMP_SUFFIXES = ("_at", "_until")
TIMESTAMP_NAMES = {"detected_at", "at", "until", "since", "first_seen", "last_seen"}
# At least one character that is not white space, as Python's strip() sees it (which also
# strips the separators \x1c-\x1f and NEL, which a JSON Schema's \s leaves).
NOT_BLANK = VISIBLE
TITLE = {"minLength": 1, "maxLength": MAX_TITLE, "pattern": NOT_BLANK}
TAGS = {
    "maxItems": MAX_TAGS,
    "items": {"type": "string", "maxLength": MAX_TAG, "pattern": NOT_BLANK},
}
# The length, pattern and count rules the services check, by the Struct field they apply to.
RULES: dict[tuple[str, str], dict[str, Any]] = {
    ("Target", "triage_m"): {"exclusiveMinimum": 0, "maximum": LONGEST_M},
    ("Target", "resolve_h"): {"exclusiveMinimum": 0, "maximum": LONGEST_M / 60},
    ("AlertIn", "source"): {"pattern": f"^{SOURCE_PATTERN}$"},
    ("AlertIn", "external_id"): {"minLength": 1, "maxLength": 256},
    ("AlertIn", "title"): TITLE,
    ("AlertIn", "description"): {"maxLength": ALERT_DESCRIPTION},
    ("AlertIn", "tags"): TAGS,
    ("AlertIn", "observables"): {"maxItems": MAX_OBSERVABLES},
    ("ObservableIn", "value"): {"minLength": 1, "maxLength": MAX_VALUE, "pattern": NOT_BLANK},
    ("CaseCreate", "title"): TITLE,
    ("CaseCreate", "description"): {"maxLength": CASE_DESCRIPTION},
    ("CaseCreate", "tags"): TAGS,
    ("CaseCreate", "observables"): {"maxItems": MAX_OBSERVABLES},
    ("CasePatch", "title"): TITLE,
    ("CasePatch", "description"): {"maxLength": CASE_DESCRIPTION},
    ("CasePatch", "tags"): TAGS,
    ("CommentIn", "body"): {"minLength": 1, "maxLength": MAX_BODY, "pattern": NOT_BLANK},
    ("CommentIn", "mentions"): {"maxItems": MAX_MENTIONS},
    ("TimelineIn", "summary"): {"minLength": 1, "maxLength": MAX_SUMMARY, "pattern": NOT_BLANK},
    ("ResolveIn", "root_cause"): {"maxLength": MAX_ROOT_CAUSE},
    ("ResolveIn", "narrative"): {"maxLength": MAX_NARRATIVE},
    ("SuppressIn", "scope"): {"pattern": f"^(global|source:{SOURCE_PATTERN})$"},
    ("SuppressIn", "reason"): {"minLength": 1, "maxLength": MAX_REASON, "pattern": NOT_BLANK},
    ("SuppressIn", "value"): {"minLength": 1, "maxLength": MAX_VALUE, "pattern": NOT_BLANK},
    ("ApiKeyCreate", "name"): {"minLength": 1, "maxLength": MAX_NAME, "pattern": NOT_BLANK},
    ("ApiKeyCreate", "scopes"): {"minItems": 1},
    ("UserCreate", "name"): {"maxLength": 200},
    ("UserCreate", "password"): {"minLength": MIN_PASSWORD},
    ("UserPatch", "name"): {"maxLength": 200},
    ("EscalateIn", "case_id"): {"pattern": "^case_"},
    ("BulkIn", "ids"): {"minItems": 1, "maxItems": BULK_MAX},
    ("BulkIn", "tags"): TAGS,
    ("BulkIn", "comment"): {"maxLength": 10_000},
    ("UserCreate", "email"): {"format": "email"},
    ("WebhookCreate", "url"): {"pattern": URL},
    ("WebhookCreate", "events"): {"minItems": 1},
    ("WebhookCreate", "secret"): {"minLength": 16, "maxLength": 256},
    ("WebhookPatch", "url"): {"pattern": URL},
    ("WebhookPatch", "events"): {"minItems": 1},
    ("AlertIn", "asset"): {"additionalProperties": SCALAR},
    ("TaskIn", "title"): {"minLength": 1, "maxLength": TASK_TITLE, "pattern": NOT_BLANK},
    ("TaskIn", "description"): {"maxLength": TASK_DESCRIPTION},
    ("TaskPatch", "title"): {"minLength": 1, "maxLength": TASK_TITLE, "pattern": NOT_BLANK},
    ("TaskPatch", "description"): {"maxLength": TASK_DESCRIPTION},
    ("TemplateTask", "title"): {"minLength": 1, "maxLength": TASK_TITLE, "pattern": NOT_BLANK},
    ("TemplateTask", "description"): {"maxLength": TASK_DESCRIPTION},
    ("CustomFieldIn", "key"): {"pattern": f"^{FIELD_KEY.pattern}$"},
    ("CustomFieldIn", "label"): {"minLength": 1, "maxLength": FIELD_LABEL, "pattern": NOT_BLANK},
    ("CustomFieldPatch", "label"): {"minLength": 1, "maxLength": FIELD_LABEL, "pattern": NOT_BLANK},
    ("CustomFieldIn", "choices"): CHOICES,
    ("CustomFieldPatch", "choices"): CHOICES,
    ("CaseTemplateIn", "name"): {"minLength": 1, "maxLength": TEMPLATE_NAME, "pattern": NOT_BLANK},
    ("CaseTemplatePatch", "name"): {
        "minLength": 1,
        "maxLength": TEMPLATE_NAME,
        "pattern": NOT_BLANK,
    },
    ("CaseTemplateIn", "title"): TITLE,
    ("CaseTemplatePatch", "title"): TITLE,
    ("CaseTemplateIn", "description"): {"maxLength": CASE_DESCRIPTION},
    ("CaseTemplatePatch", "description"): {"maxLength": CASE_DESCRIPTION},
    ("CaseTemplateIn", "tags"): TAGS,
    ("CaseTemplatePatch", "tags"): TAGS,
    ("CaseTemplateIn", "tasks"): {"maxItems": TEMPLATE_TASKS},
    ("CaseTemplatePatch", "tasks"): {"maxItems": TEMPLATE_TASKS},
    ("CaseTemplateIn", "rules"): {"maxItems": TEMPLATE_RULES},
    ("CaseTemplatePatch", "rules"): {"maxItems": TEMPLATE_RULES},
    ("TemplateRule", "technique"): {"pattern": r"^\s*[Tt][0-9]{4}(\.[0-9]{3})?\s*$"},
    ("TemplateRule", "source"): {"pattern": NOT_BLANK},
    ("TemplateRule", "tag"): {"pattern": NOT_BLANK},
    ("GroupingRuleIn", "source"): {
        "minLength": 1,
        "maxLength": GROUPING_SOURCE,
        "pattern": NOT_BLANK,
    },
    ("GroupingRuleIn", "window_m"): {"minimum": 1, "maximum": GROUPING_LONGEST},
    ("GroupingRulePatch", "window_m"): {"minimum": 1, "maximum": GROUPING_LONGEST},
    ("SavedViewIn", "name"): {"minLength": 1, "maxLength": VIEW_NAME, "pattern": NOT_BLANK},
    ("ViewFilters", "status"): {"pattern": _comma_list(STATUSES)},
    ("ViewFilters", "severity"): {"pattern": _comma_list(SEVERITIES)},
    ("BulkFilter", "status"): {"pattern": _comma_list(STATUSES)},
    ("BulkFilter", "severity"): {"pattern": _comma_list(SEVERITIES)},
    ("MergeIn", "into"): {"pattern": "^case_"},
    ("LinkIn", "case_id"): {"pattern": "^case_"},
}
# Whole-object rules, by component.
OBJECT_RULES: dict[str, dict[str, Any]] = {
    "TemplateRule": {"minProperties": 1},  # at least one condition
    # a title and a severity, unless a template gives them
    "CaseCreate": {"anyOf": [{"required": ["title", "severity"]}, {"required": ["template_id"]}]},
    # ids or a filter; a dismissal's reason, a tagging's tags
    "BulkIn": {
        "oneOf": [{"required": ["ids"]}, {"required": ["filter"]}],
        "if": {"properties": {"action": {"const": "dismiss"}}},
        "then": {"required": ["reason_code"]},
        "else": {
            "if": {"properties": {"action": {"const": "tag"}}},
            "then": {"required": ["tags"]},
        },
    },
}
ITEM_ENUMS: dict[tuple[str, str], Iterable[str]] = {
    ("GroupingRuleIn", "observable_types"): OBSERVABLE_TYPES,
    ("GroupingRulePatch", "observable_types"): OBSERVABLE_TYPES,
    ("GroupingRule", "observable_types"): OBSERVABLE_TYPES,
    ("ApiKeyCreate", "scopes"): SCOPES,
    ("WebhookCreate", "events"): (*EVENTS, "*"),
    ("WebhookPatch", "events"): (*EVENTS, "*"),
}


# What handlers that stream their bodies or answer several media types send and take, which
# Litestar cannot see in their signatures.
STREAMED: dict[tuple[str, str], dict[str, Any]] = {
    (f"{API_PREFIX}/alerts/batch", "post"): {
        "requestBody": {
            "required": True,
            "description": "alerts as `POST /alerts` takes them; each is checked on its own and "
            "answered in `items` (an invalid one fails alone)",
            "content": {
                "application/json": {
                    "schema": {"type": "array", "minItems": 1, "maxItems": BATCH_ITEMS}
                },
                "application/x-ndjson": {
                    "schema": {"type": "string", "description": "one alert a line"}
                },
            },
        }
    },
    (f"{API_PREFIX}/cases/{{case_id}}/attachments", "post"): {
        "requestBody": {
            "required": True,
            "content": {
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "description": {"type": "string", "maxLength": MAX_FIELD},
                        },
                    }
                }
            },
        }
    },
    (f"{API_PREFIX}/cases/import", "post"): {
        "requestBody": {
            "required": True,
            "description": "a case archive from `GET /cases/{case_id}/export`",
            "content": {"application/zip": {"schema": {"format": "binary"}}},
        }
    },
    (f"{API_PREFIX}/license", "put"): {
        "requestBody": {
            "required": True,
            "description": "the license file as issued",
            "content": {
                "application/json": {
                    "schema": {
                        "type": "object",
                        "required": ["payload", "signature"],
                        "properties": {
                            "payload": {"type": "object"},
                            "signature": {"type": "string"},
                        },
                    }
                }
            },
        }
    },
}
ANSWERED_AS: dict[tuple[str, str], dict[str, Any]] = {
    (f"{API_PREFIX}/cases/{{case_id}}/report", "get"): {
        "text/html": {"schema": {"type": "string"}},
        "text/markdown": {"schema": {"type": "string"}},
    },
    (f"{API_PREFIX}/cases/{{case_id}}/attachments/{{attachment_id}}", "get"): {
        "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
    },
}


def document(app: Litestar) -> dict[str, Any]:
    """The OpenAPI document of `app`'s API, as served at /api/v1/openapi.json."""
    doc = copy.deepcopy(app.openapi_schema.to_schema())
    schemas = doc.setdefault("components", {}).setdefault("schemas", {})
    schemas["Error"] = _error_schema()
    _constrain_schemas(schemas)
    for path, methods in doc["paths"].items():
        for method, operation in methods.items():
            handler = _handler(app, path, method.upper())
            if handler is not None:
                _complete(operation, path, method.upper(), handler.opt)
            operation.update(STREAMED.get((path, method), {}))
            if (path, method) in ANSWERED_AS:
                operation["responses"]["200"]["content"] = ANSWERED_AS[(path, method)]
    return doc


def _error_schema() -> dict[str, Any]:
    codes = sorted({cls.code for cls in _subclasses(DomainError)} | {"internal"})
    return {
        "type": "object",
        "required": ["error", "message", "details"],
        "properties": {
            "error": {"type": "string", "enum": codes},
            "message": {"type": "string", "minLength": 1},
            "details": {
                "type": "object",
                "description": "each bad field by path (`observables[2].value`) with what is "
                "wrong with it; `required_scope` on a 403",
                "additionalProperties": True,
            },
        },
        "additionalProperties": False,
    }


def _subclasses(cls: type[DomainError]) -> list[type[DomainError]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_subclasses(sub)]
    return found


def _handler(app: Litestar, path: str, method: str) -> HTTPRouteHandler | None:
    for route in app.routes:
        if _plain(route.path) != path:
            continue
        for handler in getattr(route, "route_handlers", ()):
            if isinstance(handler, HTTPRouteHandler) and method in handler.http_methods:
                return handler
    return None


def _plain(path: str) -> str:
    """`/cases/{case_id:str}` as OpenAPI writes it: `/cases/{case_id}`."""
    parts = path.split("/")
    return "/".join(p.split(":", 1)[0] + "}" if p.startswith("{") else p for p in parts)


def _complete(operation: dict[str, Any], path: str, method: str, opt: Mapping[str, Any]) -> None:
    if opt.get("public"):  # no checks, so no errors but those the handler declares
        operation["security"] = []
        return
    responses = {
        status: answer
        for status, answer in operation.get("responses", {}).items()
        if not status.startswith(("4", "5"))  # Litestar's error bodies: replaced below
    }
    required = opt.get("scope")
    scopes = [required] if isinstance(required, str) else list(required or ())
    operation["security"] = [{"bearer": scopes}]
    if scopes:
        operation["description"] = (
            operation.get("description", "") + f"\n\nRequires: {', '.join(scopes)}."
        ).strip()
    errors: dict[str, str] = {
        "400": "invalid parameters or body (`details` names each)",
        "401": "missing, malformed, unknown, revoked or expired bearer token",
        "403": "the key lacks "
        + (f"the scope {' and '.join(scopes)}" if scopes else "the right")
        + " or its owner the role (`details.required_scope`)",
        "429": "rate limited",
        "503": "storage unusable (disk full, database busy)",
    }
    if not opt.get("lock_exempt"):
        errors["423"] = "the license grace period is over: the org is locked"
    if "{" in path:
        errors["404"] = "no such thing, or the caller may not see it"
    if method in WRITES:
        errors["409"] = "the thing's state forbids this, or the Idempotency-Key is in use"
    if method in WITH_BODY:
        errors["413"] = "the body is over the limit"
    for status in sorted(errors):
        answer: dict[str, Any] = {
            "description": errors[status],
            "content": {"application/json": {"schema": ERROR_REF}},
        }
        if status == "429":
            answer["headers"] = RETRY_AFTER
        responses[status] = answer
    operation["responses"] = responses
    _constrain_parameters(operation, path.removeprefix(API_PREFIX))


def _constrain_parameters(operation: dict[str, Any], path: str) -> None:
    for parameter in operation.get("parameters", []):
        name, schema = parameter["name"], parameter.get("schema", {})
        if parameter["in"] != "query":
            continue
        if name == "limit":
            schema.update(minimum=1, maximum=MAX_LIMIT)
        elif name in ("since", "until"):
            _each_string(schema, {"format": "date-time"})
        elif (path, name) in QUERY_PATTERNS:
            _each_string(schema, {"pattern": QUERY_PATTERNS[(path, name)]})
        elif (path, name) in QUERY_ENUMS:
            values = sorted(QUERY_ENUMS[(path, name)])
            # Comma lists: one value, or several joined by commas.
            if name in ("type", "format"):
                _each_string(schema, {"enum": values})
            else:
                pattern = "|".join(values)
                _each_string(schema, {"pattern": f"^({pattern})(,({pattern}))*$"})


def _constrain_schemas(schemas: dict[str, Any]) -> None:
    strict = {cls.__name__ for cls in _structs(msgspec.Struct) if _forbids_unknown(cls)}
    for component, schema in schemas.items():
        if component in strict:  # a body with a field it does not know is refused
            schema["additionalProperties"] = False
        schema.update(OBJECT_RULES.get(component, {}))
        properties = schema.get("properties", {})
        for name, prop in properties.items():
            if (component, name) in RULES:
                _apply(prop, RULES[(component, name)])
            if (component, name) in ENUMS:
                _each_string(prop, {"enum": sorted(ENUMS[(component, name)])})
            elif (component, name) in ITEM_ENUMS:
                _each_array(prop, {"enum": sorted(ITEM_ENUMS[(component, name)])})
            elif name in TIMESTAMP_NAMES or name.endswith(TIMESTAMP_SUFFIXES):
                _each_string(prop, {"format": "date-time"})


def _structs(cls: type[msgspec.Struct]) -> list[type[msgspec.Struct]]:
    found = []
    for sub in cls.__subclasses__():
        found += [sub, *_structs(sub)]
    return found


def _forbids_unknown(cls: type[msgspec.Struct]) -> bool:
    return bool(cls.__struct_config__.forbid_unknown_fields)


def _apply(schema: dict[str, Any], rules: dict[str, Any]) -> None:
    """String rules to the string schema(s) in `schema`, array rules to the array's; an
    `items` rule refines the items."""
    rules = dict(rules)
    items = rules.pop("items", None)
    for_arrays: dict[str, Any] = {k: rules.pop(k) for k in ("maxItems", "minItems") if k in rules}
    bounds = ("exclusiveMinimum", "minimum", "maximum")
    for_numbers: dict[str, Any] = {k: rules.pop(k) for k in bounds if k in rules}
    for_objects = {k: rules.pop(k) for k in ("additionalProperties",) if k in rules}
    if rules:
        _each_string(schema, rules)
    _each_typed(schema, "array", for_arrays)
    _each_typed(schema, "number", for_numbers)
    _each_typed(schema, "integer", for_numbers)
    _each_typed(schema, "object", for_objects)
    if items is not None:
        _each_array(schema, {k: v for k, v in items.items() if k != "type"})


def _each_typed(schema: dict[str, Any], kind: str, extra: dict[str, Any]) -> None:
    if not extra:
        return
    if schema.get("type") == kind:
        schema.update(extra)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        _each_typed(option, kind, extra)


def _each_string(schema: dict[str, Any], extra: dict[str, Any]) -> None:
    """Add `extra` to the string schema(s) in `schema` (a plain one, or inside a oneOf with
    null, or as an array's items)."""
    if schema.get("type") == "string":
        schema.update(extra)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        _each_string(option, extra)
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _each_string(schema["items"], extra)


def _each_array(schema: dict[str, Any], extra: dict[str, Any]) -> None:
    if schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        _each_string(schema["items"], extra)
    for option in schema.get("oneOf", []) + schema.get("anyOf", []):
        _each_array(option, extra)
