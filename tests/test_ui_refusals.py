"""A UI form the services refuse answers what is wrong as text, with the status the API gives
the same error: 404 for what does not exist, 409 for a wrong state, 400 for a bad value."""

from __future__ import annotations

import httpx
import pytest

from tests.harness import Server, alert


@pytest.fixture(scope="module")
def admin(server: Server) -> tuple[httpx.Client, str]:
    client = server.ui_client("admin@irbox.local", server.first_password)
    csrf = client.get("/settings").text.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    return client, csrf


def test_refusals_carry_the_apis_status(admin: tuple[httpx.Client, str], api, unique) -> None:
    client, csrf = admin
    alert_id = api.post("/alerts", json=alert(unique)).json()["id"]
    first = client.post(f"/alerts/{alert_id}/dismiss", data={"csrf_token": csrf,
                                                             "reason_code": "benign"})  # fmt: skip
    assert first.is_redirect
    again = client.post(f"/alerts/{alert_id}/dismiss", data={"csrf_token": csrf,
                                                             "reason_code": "test"})  # fmt: skip
    assert again.status_code == 409 and "only triage alerts can be dismissed" in again.text
    missing = client.post("/cases/case_nope/edit", data={"csrf_token": csrf, "severity": "low",
                                                        "status": "open"})  # fmt: skip
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("text/plain")
    form = {"csrf_token": csrf, "ids": alert_id, "action": "dismiss", "reason_code": "bored"}
    bad = client.post("/alerts/bulk", data=form)
    assert bad.status_code == 400 and "reason_code: unknown reason" in bad.text
    assert api.get(f"/alerts/{alert_id}").json()["dismissal"]["reason_code"] == "benign"
