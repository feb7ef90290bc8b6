"""Validation of an ingested alert: every bad field is collected, then reported in one 400."""

from __future__ import annotations

import re
from typing import Any

import msgspec

from irbox import clock
from irbox.alerts.models import SEVERITIES, AlertIn, Observable
from irbox.errors import Errors
from irbox.observables.normalize import normalize

SOURCE_PATTERN = "[a-z0-9][a-z0-9_.-]{0,63}"
SOURCE_RE = re.compile(SOURCE_PATTERN)  # whole strings only: fullmatch (`$` lets "edr\n" by)
MAX_OBSERVABLES = 1000
MAX_RAW_BYTES = 1024 * 1024
# Deeper JSON decodes at ingest but not always where it is read back (Python's recursion limit
# is shared with the reader's own call stack: measured, 970 levels ingested, then GET answered
# 500), so nothing that deep is stored. Real tools' payloads nest a dozen levels or so.
MAX_RAW_DEPTH = 100
MAX_DESCRIPTION = 100_000
MAX_TAGS = 50
MAX_TAG = 64
MAX_ASSET_KEYS = 50
MAX_ASSET_VALUE = 1024


class CleanAlert(msgspec.Struct):
    detected_at: int
    tags: list[str]
    observables: list[Observable]
    raw_json: str | None


def check_alert(data: AlertIn) -> CleanAlert:
    errors = Errors()
    if not SOURCE_RE.fullmatch(data.source):
        errors.add("source", "lower-case letters, digits, '_', '.', '-'; 1-64 characters")
    if not 1 <= len(data.external_id) <= 256:
        errors.add("external_id", "1 to 256 characters")
    if data.severity not in SEVERITIES:
        errors.add("severity", f"must be one of {', '.join(SEVERITIES)}")
    if not data.title.strip() or len(data.title) > 512:
        errors.add("title", "1 to 512 characters, not blank")
    detected_at = 0
    try:
        detected_at = clock.parse_rfc3339(data.detected_at)
    except ValueError as exc:
        errors.add("detected_at", str(exc))
    if data.description is not None and len(data.description) > MAX_DESCRIPTION:
        errors.add("description", f"at most {MAX_DESCRIPTION} characters")
    tags = check_tags(errors, data.tags)
    _asset(errors, data.asset)
    observables = check_observables(errors, data.observables, "observables")
    raw_json = None
    if data.raw is not None:
        raw_json = msgspec.json.encode(data.raw).decode()
        if len(raw_json) > MAX_RAW_BYTES:
            errors.add("raw", "at most 1 MiB of JSON")
        elif _deeper_than(raw_json, data.raw, MAX_RAW_DEPTH):
            errors.add("raw", f"nested at most {MAX_RAW_DEPTH} levels deep")
    errors.raise_if_any("the alert is invalid")
    return CleanAlert(detected_at, tags, observables, raw_json)


def _deeper_than(text: str, value: Any, limit: int) -> bool:
    """Whether objects and arrays nest more than `limit` levels in `value` (`text` is its JSON:
    with fewer brackets than that in it, nothing is walked)."""
    if text.count("{") + text.count("[") <= limit:
        return False
    level: list[tuple[Any, int]] = [(value, 1)]
    while level:
        item, depth = level.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        level.extend((c, depth + 1) for c in children if isinstance(c, dict | list))
    return False


def check_observables(errors: Errors, items: list[Any], path: str) -> list[Observable]:
    """Normalise each observable, dropping repeats of the same (type, value)."""
    if len(items) > MAX_OBSERVABLES:
        errors.add(path, f"at most {MAX_OBSERVABLES} observables")
        return []
    seen: set[tuple[str, str]] = set()
    result = []
    for i, item in enumerate(items):
        try:
            value = normalize(item.type, item.value)
        except ValueError as exc:
            field = "type" if str(exc).startswith("unknown observable type") else "value"
            errors.add(f"{path}[{i}].{field}", str(exc))
            continue
        if (item.type, value) not in seen:
            seen.add((item.type, value))
            result.append(Observable(item.type, value))
    return result


def check_tags(errors: Errors, tags: list[str]) -> list[str]:
    if len(tags) > MAX_TAGS:
        errors.add("tags", f"at most {MAX_TAGS} tags")
        return []
    result: list[str] = []
    for i, sent in enumerate(tags):
        tag = sent.strip()
        if not tag or len(sent) > MAX_TAG:
            errors.add(f"tags[{i}]", f"1 to {MAX_TAG} characters")
        elif tag not in result:
            result.append(tag)
    return result


def _asset(errors: Errors, asset: dict[str, Any] | None) -> None:
    if asset is None:
        return
    if len(asset) > MAX_ASSET_KEYS:
        errors.add("asset", f"at most {MAX_ASSET_KEYS} fields")
    for key, value in asset.items():
        if value is not None and not isinstance(value, str | int | float | bool):
            errors.add(f"asset.{key}", "must be a string, number, boolean or null")
        elif isinstance(value, str) and len(value) > MAX_ASSET_VALUE:
            errors.add(f"asset.{key}", f"at most {MAX_ASSET_VALUE} characters")
