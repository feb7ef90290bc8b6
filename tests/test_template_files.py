"""Templates as files, for sites without a network between them: `irbox template import` takes
TOML or JSON and names the line (a file that does not parse) or the key (one that does not fit);
one bad file imports nothing; importing again replaces by name; `irbox template export` writes
files that import elsewhere as they were. The starter set is readable TOML in the repository."""

from __future__ import annotations

import json
from pathlib import Path

from irbox.cases.template_files import STARTER
from tests.harness import Server

GOOD = """name = "Lost laptop"
severity = "medium"
tags = ["device"]

[[tasks]]
title = "Wipe it remotely"
required = true

[[rules]]
tag = "lost-device"
"""


def test_import_names_the_line_or_the_key(fresh_server: Server, tmp_path: Path) -> None:
    fresh_server.cli("init")
    broken = tmp_path / "broken.toml"
    broken.write_text('name = "x"\nseverity = \n')
    said = fresh_server.cli("template", "import", str(broken), check=False)
    assert said.returncode == 1 and "broken.toml: line 2, column 12" in said.stderr, said.stderr

    wrong_type = tmp_path / "wrong.json"
    wrong_type.write_text(json.dumps({"name": "x", "tasks": [{"title": 5}]}, indent=1))
    said = fresh_server.cli("template", "import", str(wrong_type), check=False)
    assert said.returncode == 1 and "$.tasks[0].title" in said.stderr, said.stderr

    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{\n  "name": "x",\n}')
    said = fresh_server.cli("template", "import", str(bad_json), check=False)
    assert "bad.json: line 3, column 1" in said.stderr, said.stderr

    good, invalid = tmp_path / "good.toml", tmp_path / "invalid.toml"
    good.write_text(GOOD)
    invalid.write_text('name = "Bad one"\n[[rules]]\ntechnique = "phishing"\n')
    said = fresh_server.cli("template", "import", str(good), str(invalid), check=False)
    assert said.returncode == 1
    assert "invalid.toml: rules[0].technique: an ATT&CK technique id" in said.stderr, said.stderr
    assert "no template imported" in said.stderr
    exported = tmp_path / "out"
    fresh_server.cli("template", "export", "--out", str(exported))
    assert "lost-laptop.json" not in {p.name for p in exported.iterdir()}  # nothing half-done


def test_import_then_export_elsewhere(fresh_server: Server, tmp_path: Path) -> None:
    fresh_server.cli("init")
    good = tmp_path / "laptop.toml"
    good.write_text(GOOD)
    first = fresh_server.cli("template", "import", str(good)).stdout
    assert first.startswith("created tpl_") and first.strip().endswith("Lost laptop")
    good.write_text(GOOD.replace('"medium"', '"high"'))
    again = fresh_server.cli("template", "import", str(good)).stdout
    assert again.startswith("replaced " + first.split()[1])
    out = tmp_path / "out"
    written = fresh_server.cli("template", "export", "--out", str(out)).stdout.split()
    assert len(written) == 5  # the starter set and this one
    laptop = json.loads((out / "lost-laptop.json").read_text())
    assert laptop["severity"] == "high" and laptop["rules"] == [{"tag": "lost-device"}]
    assert (out / "lost-laptop.json").stat().st_mode & 0o077 == 0

    elsewhere = Server(tmp_path / "elsewhere").start()
    try:
        elsewhere.cli("template", "import", *written)
        with elsewhere.client(elsewhere.token()) as api:
            names = {t["name"]: t for t in api.get("/case-templates").json()["items"]}
        assert names["Lost laptop"]["tasks"] == [
            {"title": "Wipe it remotely", "description": "", "required": True}
        ]
    finally:
        elsewhere.kill()


def test_the_starter_set_is_readable_toml() -> None:
    files = sorted(p.name for p in STARTER.glob("*.toml"))
    assert files == [
        "account-compromise.toml",
        "data-exfiltration.toml",
        "malware-on-an-endpoint.toml",
        "phishing.toml",
    ]
    for path in STARTER.glob("*.toml"):
        assert "NIST SP 800-61" in path.read_text()
