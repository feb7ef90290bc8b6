"""A batch of alerts as clients send it: a JSON array, or NDJSON (one alert a line). Each item is
decoded on its own, so a bad item fails alone; a body that is not a batch at all (not an array,
empty, over 1,000 items, not JSON) fails whole."""

from __future__ import annotations

import re

import msgspec

from irbox.alerts.models import AlertIn
from irbox.errors import ValidationFailed

MAX_ITEMS = 1000
_decode_item = msgspec.json.Decoder(AlertIn).decode
_decode_list = msgspec.json.Decoder(list[msgspec.Raw]).decode
# msgspec's messages: "Object missing required field `title`", "... - at `$.asset.ip`".
_MISSING = re.compile(r"missing required field `([^`]+)`")
_UNKNOWN = re.compile(r"unknown field `([^`]+)`")
_AT = re.compile(r" - at `\$\.?([^`]*)`$")

Item = AlertIn | ValidationFailed


def parse(body: bytes, ndjson: bool) -> list[Item]:
    """The batch's alerts, each decoded or the reason it is not an alert."""
    raws = _lines(body) if ndjson else _array(body)
    if not raws:
        raise ValidationFailed("the batch is empty", {"body": f"1 to {MAX_ITEMS} alerts"})
    if len(raws) > MAX_ITEMS:
        raise ValidationFailed(
            "the batch is too large", {"body": f"at most {MAX_ITEMS} alerts, got {len(raws)}"}
        )
    return [_item(raw) for raw in raws]


def _array(body: bytes) -> list[bytes]:
    try:
        return [bytes(raw) for raw in _decode_list(body)]
    except msgspec.DecodeError as exc:
        raise ValidationFailed("the batch is not a JSON array", {"body": str(exc)}) from None


def _lines(body: bytes) -> list[bytes]:
    return [line for line in body.split(b"\n") if line.strip()]


def _item(raw: bytes) -> Item:
    try:
        return _decode_item(raw)
    except msgspec.ValidationError as exc:
        return ValidationFailed("the alert is invalid", _field_of(str(exc)))
    except msgspec.DecodeError as exc:
        return ValidationFailed("the line is not JSON", {"body": str(exc)})


def _field_of(message: str) -> dict[str, str]:
    """msgspec's message as `details`: the field's path -> what is wrong."""
    at = _AT.search(message)
    prefix = at.group(1) if at else ""
    text = message[: at.start()] if at else message
    for pattern, what in ((_MISSING, "required"), (_UNKNOWN, "unknown field")):
        named = pattern.search(text)
        if named:
            return {f"{prefix}.{named.group(1)}" if prefix else named.group(1): what}
    return {prefix or "body": text}
