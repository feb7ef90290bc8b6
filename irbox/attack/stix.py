"""Turn an official ATT&CK STIX 2.1 bundle (`enterprise-attack-*.json`) into irbox's compact
catalogue. Revoked and deprecated techniques are left out."""

from __future__ import annotations

from typing import Any

import msgspec

from irbox.attack.catalogue import Catalogue, Technique


class StixError(ValueError):
    """The file is not an ATT&CK STIX bundle irbox can read."""


def catalogue_from_bundle(raw: bytes, source: str) -> Catalogue:
    try:
        bundle = msgspec.json.decode(raw)
    except msgspec.DecodeError as exc:
        raise StixError(f"not JSON: {exc}") from None
    if not isinstance(bundle, dict) or bundle.get("type") != "bundle":
        raise StixError("not a STIX bundle (no top-level type 'bundle')")
    version = ""
    techniques: list[Technique] = []
    for obj in bundle.get("objects") or []:
        if not isinstance(obj, dict):
            continue
        if obj.get("type") == "x-mitre-collection":
            version = str(obj.get("x_mitre_version") or version)
        elif obj.get("type") == "attack-pattern":
            technique = _technique(obj)
            if technique is not None:
                techniques.append(technique)
    if not techniques:
        raise StixError("the bundle holds no ATT&CK techniques")
    return Catalogue(version=version or "unknown", source=source, techniques=techniques)


def _technique(obj: dict[str, Any]) -> Technique | None:
    if obj.get("revoked") or obj.get("x_mitre_deprecated"):
        return None
    ref = next(
        (
            r
            for r in obj.get("external_references") or []
            if isinstance(r, dict) and r.get("source_name") == "mitre-attack"
        ),
        None,
    )
    if ref is None or not str(ref.get("external_id", "")).startswith("T"):
        return None
    tactics = [
        p["phase_name"]
        for p in obj.get("kill_chain_phases") or []
        if isinstance(p, dict)
        and p.get("kill_chain_name") == "mitre-attack"
        and p.get("phase_name")
    ]
    return Technique(
        id=str(ref["external_id"]),
        name=str(obj.get("name", "")),
        tactics=tactics,
        platforms=[str(p) for p in obj.get("x_mitre_platforms") or []],
    )
