"""The OpenAPI document is part of the source: docs/openapi.json is what the server serves, so
an API change shows in review. `make openapi` rewrites it after a deliberate change."""

from __future__ import annotations

import json
import os
from pathlib import Path

from irbox import __version__
from tests.harness import Server

CHECKED_IN = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"


def _served(server: Server) -> dict:
    answer = server.client(None).get("/openapi.json")
    assert answer.status_code == 200
    return answer.json()


def test_the_checked_in_document_is_the_served_one(server: Server) -> None:
    served = _served(server)
    if os.environ.get("IRBOX_WRITE_OPENAPI"):
        CHECKED_IN.write_text(json.dumps(served, indent=2, sort_keys=True) + "\n")
    assert json.loads(CHECKED_IN.read_text()) == served, "run `make openapi` and review the diff"


def test_the_document_speaks_the_contract(server: Server) -> None:
    doc = _served(server)
    assert doc["info"]["version"] == __version__
    assert "status_code" not in doc["components"]["schemas"]["Error"]["properties"]
    operations = [
        (path, method, op) for path, ops in doc["paths"].items() for method, op in ops.items()
    ]
    for path, method, op in operations:
        public = op["security"] == []
        for status, answer in op["responses"].items():
            if status.startswith("4") or (status == "503" and not public):
                assert answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/Error"
                }, (method, path, status)
        if not public:
            assert {"401", "429", "503"} <= set(op["responses"]), (method, path)
            assert "Retry-After" in op["responses"]["429"]["headers"]
    dismiss = doc["paths"]["/api/v1/alerts/{alert_id}/dismiss"]["post"]
    assert dismiss["security"] == [{"bearer": ["alerts:write"]}]
    assert {"403", "404", "409", "413", "423"} <= set(dismiss["responses"])
    assert doc["paths"]["/api/v1/license"]["get"]["responses"].keys().isdisjoint({"423"})
    limit = next(
        p for p in doc["paths"]["/api/v1/alerts"]["get"]["parameters"] if p["name"] == "limit"
    )
    assert (limit["schema"]["minimum"], limit["schema"]["maximum"]) == (1, 500)
    alert_in = doc["components"]["schemas"]["AlertIn"]
    assert alert_in["additionalProperties"] is False
    assert alert_in["properties"]["severity"]["enum"] == sorted(
        ["info", "low", "medium", "high", "critical"]
    )
    assert alert_in["properties"]["detected_at"]["format"] == "date-time"
