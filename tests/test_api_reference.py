"""docs/api.md is the API's contract for people: every endpoint the server routes is in its
reference, and everything the reference lists is routed."""

from __future__ import annotations

import re
from pathlib import Path

from irbox.config import load_config
from irbox.web.api import API_PREFIX
from irbox.web.app import create_litestar

DOC = Path(__file__).resolve().parent.parent / "docs" / "api.md"
DOCUMENTED = re.compile(r"`(GET|POST|PUT|PATCH|DELETE) (/[^`\s]*)`")
UNDOCUMENTED_PREFIX = f"{API_PREFIX}/schema"  # Litestar's own schema router, kept out of the way


def _shape(path: str) -> str:
    """`/cases/{case_id:str}` and `/cases/{id}` are the same endpoint."""
    return re.sub(r"\{[^}]*\}", "{}", path)


def _documented() -> set[tuple[str, str]]:
    reference = DOC.read_text().split("## Endpoints", 1)[1].split("\n## ", 1)[0]
    return {(method, _shape(path)) for method, path in DOCUMENTED.findall(reference)}


def _routed(tmp_path: Path) -> set[tuple[str, str]]:
    app = create_litestar(load_config(overrides={"data_dir": str(tmp_path)}))
    routed = set()
    for route in app.routes:
        if not route.path.startswith(API_PREFIX) or route.path.startswith(UNDOCUMENTED_PREFIX):
            continue
        for method in route.methods - {"HEAD", "OPTIONS"}:
            routed.add((method, _shape(route.path.removeprefix(API_PREFIX))))
    return routed


def test_every_routed_endpoint_is_in_the_reference(tmp_path: Path) -> None:
    assert _routed(tmp_path) - _documented() == set()


def test_the_reference_lists_only_routed_endpoints(tmp_path: Path) -> None:
    assert _documented() - _routed(tmp_path) == set()
