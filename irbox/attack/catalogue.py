"""Loading and querying the ATT&CK catalogue. The bundled file ships in the package; an operator's
newer one (`irbox attack import`) lives at `<data_dir>/attack.json` and takes precedence."""

from __future__ import annotations

import os
import tempfile
from functools import cached_property
from importlib import resources
from pathlib import Path

import msgspec

BUNDLED = "enterprise-attack.json"


class Technique(msgspec.Struct, array_like=True):
    id: str
    name: str
    tactics: list[str]
    platforms: list[str]


class Catalogue(msgspec.Struct, dict=True):
    version: str
    source: str
    techniques: list[Technique]

    @cached_property
    def by_id(self) -> dict[str, Technique]:
        return {t.id: t for t in self.techniques}

    def search(self, query: str, limit: int = 20) -> list[Technique]:
        """Ids first (`T1059`, `t1059.001`), then names containing the words of the query."""
        q = query.strip().lower()
        if not q:
            return self.techniques[:limit]
        by_id = [t for t in self.techniques if t.id.lower().startswith(q)]
        words = q.split()
        by_name = [
            t for t in self.techniques if t not in by_id and all(w in t.name.lower() for w in words)
        ]
        return (by_id + by_name)[:limit]


class TechniqueOut(msgspec.Struct):
    """A technique as the API shows it (the catalogue stores arrays to stay small)."""

    id: str
    name: str
    tactics: list[str]
    platforms: list[str]


def out(t: Technique) -> TechniqueOut:
    return TechniqueOut(t.id, t.name, t.tactics, t.platforms)


def load(data_dir: Path | None = None) -> Catalogue:
    if data_dir is not None and (data_dir / "attack.json").exists():
        return msgspec.json.decode((data_dir / "attack.json").read_bytes(), type=Catalogue)
    raw = resources.files("irbox.attack.data").joinpath(BUNDLED).read_bytes()
    return msgspec.json.decode(raw, type=Catalogue)


def save(catalogue: Catalogue, data_dir: Path) -> Path:
    """Atomically replace `<data_dir>/attack.json`."""
    target = data_dir / "attack.json"
    fd, tmp = tempfile.mkstemp(dir=data_dir, prefix=".attack-")
    with os.fdopen(fd, "wb") as fh:
        fh.write(msgspec.json.encode(catalogue))
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, target)
    return target
