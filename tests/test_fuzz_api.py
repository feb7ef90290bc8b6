"""API fuzzing with schemathesis against the served OpenAPI document: every operation, a bounded
number of generated requests each, every schemathesis check: no 5xx, every status and header
documented, every answer as its schema says, schema-invalid requests refused, schema-valid
requests accepted. Every error is in the spec's shape.

A schema-valid request must succeed (`positive_data_acceptance`), so the valid requests are given
what no schema can carry, and only that (see `_what_no_schema_carries`): text without U+0000
(PostgreSQL's limit), a cursor this API issued, an observable value right for its type, a
license signed by a trusted key, a case archive whose files match its manifest, names and emails
not taken yet. Left out: the two
operations that could revoke the run's own key or change its user."""

from __future__ import annotations

import itertools
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import negative_data_rejection

from tests.harness import Server
from tests.test_license import DAY, PUBLIC, license_doc

# A case archive is bytes, as any binary body.
schemathesis.serializer.alias("application/zip", "application/octet-stream")
# Bodies no bytes can violate (a binary archive): there is no invalid one to send, and the
# "invalid" cases the tool makes of them are given the real archive above.
NO_INVALID_BODY = {"POST /api/v1/cases/import": [negative_data_rejection]}

EXAMPLES = int(os.environ.get("IRBOX_FUZZ_EXAMPLES", "25"))
LEFT_OUT = {"DELETE /api/v1/api-keys/{key_id}", "PATCH /api/v1/users/{user_id}"}


@pytest.fixture(scope="module")
def fuzz_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    env = {"IRBOX_RATE_LIMIT_PER_MINUTE": "1000000", "IRBOX_RATE_LIMIT_BURST": "1000000",
           "IRBOX_LICENSE_PUBLIC_KEYS": PUBLIC}  # fmt: skip
    srv = Server(Path(tmp_path_factory.mktemp("fuzz")) / "data", env=env).start()
    yield srv
    srv.kill()


@pytest.fixture(scope="module")
def fuzz_token(fuzz_server: Server) -> str:
    return fuzz_server.token()


@pytest.fixture(scope="module")
def archive(fuzz_server: Server, fuzz_token: str) -> bytes:
    """A case archive this irbox exported: what `POST /cases/import` accepts."""
    with fuzz_server.client(fuzz_token) as api:
        case = api.post("/cases", json={"title": "exported", "severity": "low"}).json()
        return api.get(f"/cases/{case['id']}/export").content


EXAMPLE_OF_TYPE = {
    "ip": "192.0.2.10", "domain": "evil.example", "url": "https://evil.example/a",
    "hash": "d41d8cd98f00b204e9800998ecf8427e", "email": "a@evil.example",
    "hostname": "ws-1.corp.example", "user": "ana", "filename": "a.exe", "file_path": "C:\\a.exe",
    "registry_key": "HKLM\\Software\\x", "process": "a.exe", "user_agent": "curl/8", "other": "x",
}  # fmt: skip
_fresh = itertools.count()


def _without_nul(value: Any) -> Any:
    """Text without U+0000, which PostgreSQL's text cannot hold (docs/decisions.md): a limit
    of one engine, answered 400 there, that the document does not spell out on every string."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {k: _without_nul(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    return value


def _what_no_schema_carries(
    label: str, case: Any, archive: bytes, forget_views: Callable[[], None]
) -> None:
    """Give a schema-valid request the values its schema cannot describe (and nothing else)."""
    query, body, n = case.query, case.body, next(_fresh)
    modes = {str(k.value): v.mode.is_positive for k, v in (case.meta.components or {}).items()}
    if modes.get("path_parameters", True) and case.path_parameters:
        case.path_parameters = _without_nul(case.path_parameters)
    if isinstance(query, dict) and modes.get("query", True):
        query.update(_without_nul(query))
        query.pop("cursor", None)  # opaque: only the API issues them
        if label == "GET /api/v1/observables/search":
            query["value"] = EXAMPLE_OF_TYPE.get(query.get("type") or "ip", "192.0.2.10")
    if not modes.get("body", False):  # a body left out or broken on purpose stays so
        return
    if label == "POST /api/v1/cases/import":
        case.body = archive
    elif label == "PUT /api/v1/license":  # signed by the key this server trusts
        case.body = license_doc(365 * DAY, seats=1000)
    elif label == "POST /api/v1/me/views":
        forget_views()  # at most 20 a user: a count no schema carries
    if not isinstance(body, dict):
        return
    body.update(_without_nul(body))
    for item in body.get("observables") or []:
        if isinstance(item, dict) and "type" in item:
            item["value"] = EXAMPLE_OF_TYPE[item["type"]]
    if {"type", "value"} <= body.keys() and body["type"] in EXAMPLE_OF_TYPE:
        body["value"] = EXAMPLE_OF_TYPE[body["type"]]  # a case's observable, a suppression
    body.pop("attack", None)  # ATT&CK ids: the catalogue's, not a pattern's
    body.pop("template_id", None)  # a template that exists
    body.pop("expires_at", None)  # in the future, whenever the run is
    body.pop("until", None)  # the same
    body.pop("assignee", None)  # a user who exists
    if label in ("POST /api/v1/cases", "PATCH /api/v1/cases/{case_id}",
                 "POST /api/v1/case-templates"):  # fmt: skip
        body.pop("custom_fields", None)  # fields an admin defined
    if label == "POST /api/v1/users":
        body["email"] = f"fuzz-{n}@example.com"
    for key in ("name", "key"):  # unique among what exists
        if label in ("POST /api/v1/me/views", "POST /api/v1/case-templates",
                     "POST /api/v1/custom-fields") and isinstance(body.get(key), str):  # fmt: skip
            body[key] = f"{body[key][:30].strip() or 'x'}{n}" if key == "name" else f"k{n}"
    if label == "POST /api/v1/custom-fields":  # choices belong to choice fields
        body["choices"] = ["a"] if body.get("type") == "choice" else []
    if label == "POST /api/v1/grouping-rules" and body.get("by") == "hostname":
        body["observable_types"] = []
    if label == "POST /api/v1/case-templates":  # a rule's conditions, not nulls
        body["rules"] = [r for r in body.get("rules") or [] if any(r.values())]
    bulk = label == "POST /api/v1/alerts/bulk"
    if bulk and (body.get("ids") or not body.get("filter")):  # a null filter is no filter
        body.pop("filter", None)
        body["ids"] = body.get("ids") or ["alert_none"]
    if bulk and body.get("action") == "dismiss":  # a dismissal's reason
        body["reason_code"] = body.get("reason_code") or "benign"
    if bulk and body.get("action") == "tag":  # a tagging's tags
        body["tags"] = body.get("tags") or ["fuzz"]
    if label == "POST /api/v1/cases" and "template_id" not in body:
        body["title"] = body.get("title") or "fuzz"
        body["severity"] = body.get("severity") or "low"


def test_no_server_errors_and_errors_in_shape(
    fuzz_server: Server, fuzz_token: str, archive: bytes
) -> None:
    # schemathesis's own pytest plugin does not run under this pytest, so each operation's
    # strategy is driven by Hypothesis directly.
    schema = schemathesis.openapi.from_url(fuzz_server.url + "/api/v1/openapi.json")
    headers = {"Authorization": f"Bearer {fuzz_token}"}
    problems: list[str] = []
    own = fuzz_server.client(fuzz_token)

    def forget_views() -> None:
        for view in own.get("/me/views").json()["items"]:
            own.delete(f"/me/views/{view['id']}")

    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if f"{operation.method.upper()} {operation.path}" in LEFT_OUT:
            continue
        operations += 1

        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        @given(case=operation.as_strategy())
        def run(case) -> None:
            label = f"{case.method.upper()} {case.path}"
            if case.meta is not None and case.meta.generation.mode.is_positive:
                _what_no_schema_carries(label, case, archive, forget_views)
            try:
                response = case.call_and_validate(
                    base_url=fuzz_server.url, headers=headers, timeout=30,
                    excluded_checks=NO_INVALID_BODY.get(label, []),
                )  # fmt: skip
            except BaseException as exc:  # schemathesis reports its failures as a group
                raise AssertionError(f"{case.method} {case.path}: {exc}"[:2000]) from None
            label = f"{case.method} {case.formatted_path} -> {response.status_code}"
            assert response.status_code < 500, f"{label}: {response.text[:300]}"
            if response.status_code >= 400:
                body = response.json()
                assert set(body) == {"error", "message", "details"}, f"{label}: {body}"
                assert isinstance(body["details"], dict) and body["message"], label

        try:
            run()
        except AssertionError as exc:
            problems.append(str(exc))
    assert operations >= 40, operations
    assert not problems, "\n\n".join(problems)
