"""Logs: one JSON line per request with request id, key id, route, status and duration; never a
token, password or webhook secret."""

from __future__ import annotations

import json

from tests.harness import Server, alert


def test_request_lines_and_no_secrets(fresh_server: Server) -> None:
    fresh_server.env["IRBOX_LOG_LEVEL"] = "info"
    fresh_server.start()
    token = fresh_server.token()
    secrets = {token, fresh_server.first_password}
    with fresh_server.client(token) as api:
        r = api.post("/alerts", json=alert("log"), headers={"X-Request-Id": "trace-me"})
        assert r.status_code == 201
        created = api.post("/api-keys", json={"name": "second"}).json()
        secrets.add(created["token"])
        user = api.post("/users", json={"email": "l@x.example", "role": "viewer"}).json()
        secrets.add(user["password"])
        hook = api.post("/webhooks", json={"url": "http://127.0.0.1:9/", "events": ["*"]}).json()
        secrets.add(hook["secret"])
        api.post("/cases", json={"title": "t", "severity": "low"})
        api.get("/alerts", headers={"Authorization": f"Bearer {token}x"})  # a bad token too
        secrets.add(f"{token}x")
        key_id = api.get("/me").json()["key_id"]
    fresh_server.stop()
    log = fresh_server.log_path.read_text()
    for secret in secrets:
        assert secret not in log, "a secret reached the log"
    # Not even the first admin's generated password: it waits in a 0600 file instead.
    # Past the start-up banner meant for the person who ran it, every line is JSON (Granian's
    # too) until shutdown begins (a Rust panic message at exit would be plain text on stderr).
    running = log.split("irbox: serving", 1)[1].split('"Shutting down granian"')[0]
    lines = [json.loads(line) for line in running.splitlines()[1:-1] if line]
    assert any(e["logger"] == "_granian" for e in lines)
    requests = [e for e in lines if e.get("logger") == "irbox.access"]
    traced = next(e for e in requests if e["request_id"] == "trace-me")
    assert traced["method"] == "POST" and traced["route"] == "/api/v1/alerts"
    assert traced["status"] == 201 and traced["key_id"] == key_id
    assert isinstance(traced["duration_ms"], float) and traced["ts"].endswith("Z")
    assert {e["status"] for e in requests} >= {200, 201, 401}
