"""ATT&CK: the bundled catalogue, technique search, mapping on cases, and importing a bundle."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

from tests.harness import Server


def test_search_techniques(api: httpx.Client) -> None:
    r = api.get("/attack/techniques", params={"q": "powershell"})
    assert r.status_code == 200
    body = r.json()
    assert body["version"] == "18.1"
    ids = [t["id"] for t in body["items"]]
    assert "T1059.001" in ids
    first = next(t for t in body["items"] if t["id"] == "T1059.001")
    assert first == {
        "id": "T1059.001",
        "name": "PowerShell",
        "tactics": ["execution"],
        "platforms": ["Windows"],
    }
    by_id = api.get("/attack/techniques", params={"q": "t1566"}).json()["items"]
    assert by_id[0]["id"] == "T1566" and all(t["id"].startswith("T1566") for t in by_id)
    assert api.get("/attack/techniques", params={"limit": 0}).status_code == 400


def test_bundled_catalogue_is_complete_and_licensed() -> None:
    from irbox.attack.catalogue import load

    catalogue = load()
    assert len(catalogue.techniques) > 600
    assert len([t for t in catalogue.techniques if "." not in t.id]) > 200  # techniques
    root = Path(__file__).resolve().parent.parent / "irbox" / "attack" / "data"
    assert (root / "enterprise-attack.json").stat().st_size < 150_000
    assert "The MITRE Corporation" in (root / "NOTICE.txt").read_text()


def test_map_techniques_on_a_case(api: httpx.Client, unique: str) -> None:
    case_id = api.post("/cases", json={"title": f"a {unique}", "severity": "low"}).json()["id"]
    r = api.patch(f"/cases/{case_id}", json={"attack": ["T1059.001", "T1566"]})
    assert [t["id"] for t in r.json()["attack"]] == ["T1059.001", "T1566"]
    bad = api.patch(f"/cases/{case_id}", json={"attack": ["T1059.001", "T4242"]})
    assert bad.status_code == 400 and "attack[1]" in bad.json()["details"]
    assert len(api.get(f"/cases/{case_id}").json()["attack"]) == 2  # unchanged


def _bundle() -> dict:
    def pattern(ext_id: str, name: str, **extra: object) -> dict:
        return {
            "type": "attack-pattern",
            "id": f"attack-pattern--{ext_id}",
            "name": name,
            "external_references": [{"source_name": "mitre-attack", "external_id": ext_id}],
            "kill_chain_phases": [{"kill_chain_name": "mitre-attack", "phase_name": "execution"}],
            "x_mitre_platforms": ["Linux"],
            **extra,
        }

    return {
        "type": "bundle",
        "id": "bundle--test",
        "objects": [
            {
                "type": "x-mitre-collection",
                "id": "x-mitre-collection--1",
                "x_mitre_version": "99.0",
            },
            pattern("T9001", "Brand New Technique"),
            pattern("T9002", "Old Technique", revoked=True),
            pattern("T9003", "Deprecated Technique", x_mitre_deprecated=True),
            {"type": "malware", "id": "malware--1", "name": "not a technique"},
        ],
    }


def test_import_a_stix_bundle(fresh_server: Server, tmp_path: Path) -> None:
    bundle = tmp_path / "enterprise-attack-99.0.json"
    bundle.write_text(json.dumps(_bundle()))
    fresh_server.cli("init")
    out = fresh_server.cli("attack", "import", str(bundle)).stdout
    assert "99.0" in out and "1 techniques" in out
    fresh_server.start()
    with fresh_server.client(fresh_server.token()) as api:
        body = api.get("/attack/techniques", params={"q": "T9"}).json()
        assert body["version"] == "99.0"
        assert [t["id"] for t in body["items"]] == ["T9001"]
        case_id = api.post("/cases", json={"title": "x", "severity": "low"}).json()["id"]
        assert api.patch(f"/cases/{case_id}", json={"attack": ["T9001"]}).status_code == 200
        assert api.patch(f"/cases/{case_id}", json={"attack": ["T9002"]}).status_code == 400


def test_import_rejects_what_is_not_a_bundle(fresh_server: Server, tmp_path: Path) -> None:
    fresh_server.cli("init")
    bad = tmp_path / "bad.json"
    bad.write_text('{"type": "not-a-bundle"}')
    r = fresh_server.cli("attack", "import", str(bad), check=False)
    assert r.returncode == 1 and "not a STIX bundle" in r.stderr
    r = fresh_server.cli("attack", "import", str(tmp_path / "missing.json"), check=False)
    assert r.returncode == 1 and "cannot read" in r.stderr
    assert not (fresh_server.data_dir / "attack.json").exists()
