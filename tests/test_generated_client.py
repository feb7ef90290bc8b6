"""A client generated from docs/openapi.json by a maintained generator (openapi-python-client)
works against the real server: it ingests an alert, escalates it, comments and resolves the
case, and an error comes back as the document's typed `Error`."""

from __future__ import annotations

import importlib
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

from tests.harness import Server, alert

DOCUMENT = Path(__file__).resolve().parent.parent / "docs" / "openapi.json"
GENERATOR = Path(sys.executable).parent / "openapi-python-client"


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The generated package's name, importable for the module's tests."""
    where = tmp_path_factory.mktemp("client")
    config = where / "generator.yaml"
    config.write_text("package_name_override: irbox_client\npost_hooks: []\n")
    run = subprocess.run(
        [str(GENERATOR), "generate", "--path", str(DOCUMENT), "--config", str(config),
         "--meta", "none", "--output-path", str(where / "irbox_client")],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    assert "Warning" not in run.stdout, run.stdout  # every operation generated whole
    sys.path.insert(0, str(where))
    try:
        yield "irbox_client"
    finally:
        sys.path.remove(str(where))
        for name in [n for n in sys.modules if n.split(".")[0] == "irbox_client"]:
            del sys.modules[name]


def _module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def test_a_generated_client_works_a_case_end_to_end(server: Server, generated: str) -> None:
    client_module = _module(generated, "client")
    models = _module(generated, "models")
    ingest = _module(generated, "api.alerts.api_v1_alerts_ingest")
    escalate = _module(generated, "api.alerts.api_v1_alerts_alert_id_escalate_escalate")
    dismiss = _module(generated, "api.alerts.api_v1_alerts_alert_id_dismiss_dismiss")
    comment = _module(generated, "api.cases.api_v1_cases_case_id_comments_add_comment")
    resolve = _module(generated, "api.cases.api_v1_cases_case_id_resolve_resolve")
    get_case = _module(generated, "api.cases.api_v1_cases_case_id_get_case")

    client = client_module.AuthenticatedClient(
        base_url=server.url, token=server.token(name="generated"), raise_on_unexpected_status=True
    )
    with client:
        body = models.AlertIn.from_dict(alert("generated-1"))
        created = ingest.sync_detailed(client=client, body=body)
        assert created.status_code == 201
        assert isinstance(created.parsed, models.IngestResult)
        again = ingest.sync_detailed(client=client, body=body)
        assert again.status_code == 200 and again.parsed.deduplicated is True

        alert_id = created.parsed.id
        escalated = escalate.sync(alert_id, client=client, body=models.EscalateIn(case_id=None))
        assert isinstance(escalated, models.EscalateResult) and escalated.created
        case_id = escalated.case_id

        said = comment.sync(case_id, client=client, body=models.CommentIn(body="Contained."))
        assert isinstance(said, models.Comment)
        verdict = models.ResolveInVerdict("true_positive")
        resolved = resolve.sync(
            case_id,
            client=client,
            body=models.ResolveIn(verdict=verdict, root_cause="phishing", narrative="done"),
        )
        assert isinstance(resolved, models.Case)
        assert resolved.status == models.CaseStatus("resolved")
        case = get_case.sync(case_id, client=client)
        assert [c.body for c in case.comments] == ["Contained."]

        # Dismissing an escalated alert: a typed Error, with its code from the document's enum.
        refused = dismiss.sync_detailed(
            alert_id,
            client=client,
            body=models.DismissIn(reason_code=models.DismissInReasonCode("benign")),
        )
        assert refused.status_code == 409
        assert isinstance(refused.parsed, models.Error)
        assert refused.parsed.error == models.ErrorError("invalid_state")
