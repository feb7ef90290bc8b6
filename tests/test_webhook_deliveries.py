"""Webhooks end to end with a real receiver: signatures, payloads, retries, restarts, expiry."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.harness import Server, alert
from tests.receiver import Receiver

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def hooked(fresh_server: Server) -> Server:
    fresh_server.env.update({"IRBOX_WEBHOOK_RETRY_BASE_S": "1", "IRBOX_WEBHOOK_TIMEOUT_S": "2"})
    return fresh_server


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


def _hook(api: httpx.Client, url: str, events: list[str] | None = None) -> dict:
    r = api.post("/webhooks", json={"url": url, "events": events or ["*"]})
    assert r.status_code == 201, r.text
    return r.json()


def _deliveries(api: httpx.Client, hook_id: str) -> list[dict]:
    return api.get(f"/webhooks/{hook_id}/deliveries", params={"limit": 500}).json()["items"]


def _wait(api: httpx.Client, hook_id: str, predicate, timeout: float = 15) -> list[dict]:
    deadline = time.monotonic() + timeout
    while True:
        items = _deliveries(api, hook_id)
        if predicate(items):
            return items
        assert time.monotonic() < deadline, items
        time.sleep(0.1)


def test_events_are_signed_and_carry_their_fields(hooked: Server, receiver: Receiver) -> None:
    hooked.start()
    with hooked.client(hooked.token()) as api:
        created = _hook(api, receiver.url)
        secret = created["secret"]
        me = api.get("/me").json()["id"]
        alert_id = api.post("/alerts", json=alert(1)).json()["id"]
        case_id = api.post(f"/alerts/{alert_id}/escalate", json={}).json()["case_id"]
        api.patch(f"/cases/{case_id}", json={"severity": "critical"})
        api.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
        api.post(f"/cases/{case_id}/reopen")
        got = receiver.wait_for_deliveries(5)
    events = [r.headers["X-IR-Event"] for r in got]
    assert sorted(events) == sorted(
        ["case.created", "case.alert_added", "case.updated", "case.resolved", "case.reopened"]
    )
    for r in got:
        expected = "sha256=" + hmac.new(secret.encode(), r.body, hashlib.sha256).hexdigest()
        assert r.headers["X-IR-Signature"] == expected  # over the exact bytes received
        payload = json.loads(r.body)
        assert payload["id"] == r.headers["X-IR-Delivery"] and payload["id"].startswith("whd_")
        assert payload["event"] == r.headers["X-IR-Event"]
        assert payload["case_id"] == case_id and payload["by"] == me
        assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$", payload["at"])
        assert ("verdict" in payload) == (payload["event"] == "case.resolved")
    resolved = next(json.loads(r.body) for r in got if r.headers["X-IR-Event"] == "case.resolved")
    assert resolved["verdict"] == "true_positive"


def test_fails_twice_then_succeeds_with_exactly_those_retries(
    hooked: Server, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    hooked.start()
    with hooked.client(hooked.token()) as api:
        hook = _hook(api, receiver.url, ["case.created"])["webhook"]
        api.post("/cases", json={"title": "retry me", "severity": "low"})
        items = _wait(api, hook["id"], lambda d: d and d[0]["status"] == "delivered")
    got = receiver.wait_for(3)
    time.sleep(1.5)
    assert len(receiver.requests) == 3  # and no more after success
    assert len({r.headers["X-IR-Delivery"] for r in got}) == 1
    assert len({r.body for r in got}) == 1  # the same bytes each time
    gaps = [b.at - a.at for a, b in itertools.pairwise(got)]
    assert 0.7 < gaps[0] < 2.5 and 1.5 < gaps[1] < 4.0  # 1 s, then 2 s, with jitter
    assert items[0]["attempts"] == 3 and items[0]["last_status_code"] == 200


def test_pending_delivery_survives_a_restart(hooked: Server) -> None:
    receiver = Receiver()  # not listening yet: connections are refused
    hooked.start()
    token = hooked.token()
    with hooked.client(token) as api:
        hook = _hook(api, receiver.url, ["case.created"])["webhook"]
        api.post("/cases", json={"title": "survivor", "severity": "low"})
        _wait(api, hook["id"], lambda d: d and d[0]["attempts"] >= 1)
    hooked.kill()
    receiver.start()
    try:
        hooked.start()
        got = receiver.wait_for(1, timeout=15)
        assert json.loads(got[0].body)["event"] == "case.created"
        with hooked.client(token) as api:
            _wait(api, hook["id"], lambda d: d[0]["status"] == "delivered")
    finally:
        receiver.stop()


def test_a_delivery_cut_short_by_a_crash_is_posted_again_at_start(
    hooked: Server, receiver: Receiver
) -> None:
    receiver.delay_s = 10  # the first attempt is still waiting for its answer when irbox dies
    hooked.start()
    token = hooked.token()
    with hooked.client(token) as api:
        hook = _hook(api, receiver.url, ["case.created"])["webhook"]
        api.post("/cases", json={"title": "in flight", "severity": "low"})
    receiver.wait_for(1)
    hooked.kill()
    receiver.delay_s = 0
    hooked.start()
    # Well before the claim's lease (2 x 2 s timeout + 30 s) would have let it go.
    got = receiver.wait_for(2, timeout=10)
    assert got[0].headers["X-IR-Delivery"] == got[1].headers["X-IR-Delivery"]
    with hooked.client(token) as api:
        _wait(api, hook["id"], lambda d: d[0]["status"] == "delivered")


def test_a_dead_receiver_does_not_delay_a_live_one(hooked: Server, receiver: Receiver) -> None:
    slow = Receiver().start()
    slow.delay_s = 5  # beyond the 2 s timeout: every attempt hangs until it times out
    try:
        hooked.start()
        with hooked.client(hooked.token()) as api:
            _hook(api, slow.url, ["case.created"])
            for i in range(4):  # several deliveries queue up for the slow endpoint
                api.post("/cases", json={"title": f"slow {i}", "severity": "low"})
            time.sleep(0.3)
            _hook(api, receiver.url, ["case.created"])
            started = time.monotonic()
            api.post("/cases", json={"title": "fast", "severity": "low"})
            receiver.wait_for(1, timeout=5)
            assert time.monotonic() - started < 1.5
    finally:
        slow.stop()


def test_expired_delivery_is_failed_and_can_be_redelivered(
    hooked: Server, receiver: Receiver
) -> None:
    hooked.env["IRBOX_WEBHOOK_RETRY_MAX_AGE_H"] = "0.001"  # 3.6 s
    receiver.default_status = 500
    hooked.start()
    with hooked.client(hooked.token()) as api:
        hook = _hook(api, receiver.url, ["case.created"])["webhook"]
        api.post("/cases", json={"title": "doomed", "severity": "low"})
        items = _wait(api, hook["id"], lambda d: d and d[0]["status"] == "failed", timeout=20)
        failed = items[0]
        assert failed["attempts"] >= 2 and failed["last_status_code"] == 500
        assert failed["next_attempt_at"] is None
        receiver.default_status = 200
        r = api.post(f"/webhooks/{hook['id']}/deliveries/{failed['id']}/redeliver")
        assert r.status_code == 200 and r.json()["status"] == "pending"
        items = _wait(api, hook["id"], lambda d: d[0]["status"] == "delivered")
        assert items[0]["id"] == failed["id"]
        missing = f"/webhooks/{hook['id']}/deliveries/whd_01J00000000000000000000000/redeliver"
        assert api.post(missing).status_code == 404


def test_the_documented_snippets_verify_real_deliveries(
    hooked: Server, receiver: Receiver, tmp_path: Path
) -> None:
    readme = (ROOT / "docs" / "api.md").read_text()
    python_snippet = re.search(r"```python\n(# verify-webhook.*?)```", readme, re.S).group(1)
    shell_snippet = re.search(r"```sh\n(# verify-webhook-openssl.*?)```", readme, re.S).group(1)
    hooked.start()
    with hooked.client(hooked.token()) as api:
        secret = _hook(api, receiver.url)["secret"]
        api.post("/cases", json={"title": "readme", "severity": "low"})
        got = receiver.wait_for(1)[0]
    namespace: dict = {}
    exec(python_snippet, namespace)
    verify = namespace["verify"]
    assert verify(got.body, got.headers["X-IR-Signature"], secret) is True
    assert verify(got.body + b" ", got.headers["X-IR-Signature"], secret) is False
    body = tmp_path / "body.json"
    body.write_bytes(got.body)
    env = {"SECRET": secret, "BODY_FILE": str(body), "SIGNATURE": got.headers["X-IR-Signature"]}
    ok = subprocess.run(["bash", "-c", shell_snippet], env=env, capture_output=True, text=True)
    assert ok.returncode == 0 and "valid" in ok.stdout, ok.stderr
    body.write_bytes(got.body + b"tampered")
    bad = subprocess.run(["bash", "-c", shell_snippet], env=env, capture_output=True, text=True)
    assert bad.returncode != 0


def test_no_event_for_a_change_that_rolled_back(hooked: Server, receiver: Receiver) -> None:
    hooked.start()
    with hooked.client(hooked.token()) as api:
        case_id = api.post("/cases", json={"title": "x", "severity": "low"}).json()["id"]
        hook = _hook(api, receiver.url, ["case.updated"])["webhook"]
        bad = {"body": "hi", "mentions": ["user_01J00000000000000000000000"]}
        assert api.post(f"/cases/{case_id}/comments", json=bad).status_code == 400
        assert api.patch(f"/cases/{case_id}", json={"attack": ["T0000"]}).status_code == 400
        time.sleep(1.0)
        assert _deliveries(api, hook["id"]) == [] and receiver.requests == []
        api.post(f"/cases/{case_id}/comments", json={"body": "real"})
        assert receiver.wait_for(1)[0].headers["X-IR-Event"] == "case.updated"


def test_every_change_to_a_case_file_is_a_case_updated(hooked: Server, receiver: Receiver) -> None:
    """Observables, comments and evidence added, edited or removed: one `case.updated` each."""
    hooked.start()
    with hooked.client(hooked.token()) as api:
        case_id = api.post("/cases", json={"title": "x", "severity": "low"}).json()["id"]
        _hook(api, receiver.url, ["case.updated"])
        base = f"/cases/{case_id}"
        obs = api.post(f"{base}/observables", json={"type": "ip", "value": "192.0.2.9"}).json()
        assert api.delete(f"{base}/observables/{obs['id']}").status_code == 200
        comment = api.post(f"{base}/comments", json={"body": "typo"}).json()
        assert api.patch(f"{base}/comments/{comment['id']}", json={"body": "fixed"}).is_success
        assert api.delete(f"{base}/comments/{comment['id']}").status_code == 200
        files = {"file": ("a.txt", b"bytes", "text/plain")}
        evidence = api.post(f"{base}/attachments", files=files).json()
        assert api.delete(f"{base}/attachments/{evidence['id']}").status_code == 200
        receiver.wait_for_deliveries(7)
        time.sleep(0.5)  # nothing more comes
        got = receiver.wait_for_deliveries(7)
    assert [r.headers["X-IR-Event"] for r in got] == ["case.updated"] * 7
    assert {json.loads(r.body)["case_id"] for r in got} == {case_id}


@pytest.mark.sqlite_only
def test_a_restored_data_dir_signs_with_the_same_secret(
    hooked: Server, receiver: Receiver, tmp_path: Path
) -> None:
    """The secret is sealed under the data dir's key; a backup carries the key, so the
    deliveries of a restored irbox still verify with the secret shown at creation."""
    from irbox.webhooks.sender import signature

    hooked.start()
    with hooked.client(hooked.token()) as api:
        secret = _hook(api, receiver.url, ["case.created"])["secret"]
    archive = tmp_path / "backup.tar"
    hooked.cli("backup", "--out", str(archive))
    hooked.kill()
    restored = Server(tmp_path / "restored")
    restored.cli("restore", str(archive))
    restored.start()
    try:
        with restored.client(restored.token()) as api:
            api.post("/cases", json={"title": "after restore", "severity": "low"})
        got = receiver.wait_for(1)[0]
        assert got.headers["X-IR-Signature"] == signature(secret, got.body)
    finally:
        restored.kill()
