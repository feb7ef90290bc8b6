"""Ed25519 signing and verification of license documents.

The signature covers the canonical payload: JSON with sorted keys, no whitespace, non-ASCII
written as UTF-8 (Python: `json.dumps(payload, sort_keys=True, separators=(",", ":"),
ensure_ascii=False).encode()`). Editing any field breaks it."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


class LicenseInvalid(ValueError):
    """The document is not a license signed by a trusted key."""


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def new_key_pair() -> tuple[str, str]:
    """(private, public), each base64 of the raw 32-byte key."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )
    raw_public = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def sign(payload: dict[str, Any], private_key_b64: str) -> dict[str, Any]:
    key = Ed25519PrivateKey.from_private_bytes(base64.b64decode(private_key_b64))
    signature = key.sign(canonical(payload))
    return {"payload": payload, "signature": base64.b64encode(signature).decode()}


def verify(raw: bytes, trusted_public_keys: list[str]) -> dict[str, Any]:
    """The payload of a license document signed by one of the trusted keys."""
    try:
        document = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise LicenseInvalid("not JSON") from None
    if not isinstance(document, dict) or not isinstance(document.get("payload"), dict):
        raise LicenseInvalid('expected {"payload": {...}, "signature": "..."}')
    try:
        signature = base64.b64decode(str(document.get("signature", "")), validate=True)
    except (binascii.Error, ValueError):
        raise LicenseInvalid("the signature is not base64") from None
    message = canonical(document["payload"])
    for encoded in trusted_public_keys:
        try:
            key = Ed25519PublicKey.from_public_bytes(base64.b64decode(encoded))
            key.verify(signature, message)
            return document["payload"]
        except (InvalidSignature, ValueError, binascii.Error):
            continue
    raise LicenseInvalid("the signature does not match a trusted key (edited or foreign file)")
