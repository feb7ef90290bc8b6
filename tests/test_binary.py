"""Smoke tests of the frozen executable (dist/irbox, built by `make binary`), driven exactly like
an operator would: start, create a key with the CLI, ingest, list, healthz, SIGTERM, clean exit;
and two nodes of it on one PostgreSQL database with evidence in an S3 bucket (the drivers of
both are bundled)."""

from __future__ import annotations

import time
from pathlib import Path

import httpx

from tests.harness import Server, alert, nodes
from tests.postgres import PostgresCluster
from tests.seaweed import SeaweedS3

ROOT = Path(__file__).resolve().parent.parent


def test_binary_serves_ingests_and_stops_cleanly(tmp_path: Path, built_binary: Path) -> None:
    srv = Server(tmp_path / "data", command=[str(built_binary)])
    started = time.monotonic()
    srv.start()
    print(f"binary start-to-healthy: {time.monotonic() - started:.2f}s")
    try:
        assert "admin@irbox.local" in srv.first_output and srv.first_password
        token = srv.token()
        with srv.client(token) as c:
            created = c.post("/alerts", json=alert("bin"))
            assert created.status_code == 201, created.text
            items = c.get("/alerts").json()["items"]
            assert [i["id"] for i in items] == [created.json()["id"]]
            # bundled data files: the ATT&CK catalogue and the report templates
            escalated = c.post(f"/alerts/{created.json()['id']}/escalate", json={}).json()
            case_id = escalated["case_id"]
            assert c.patch(f"/cases/{case_id}", json={"attack": ["T1059.001"]}).status_code == 200
            c.post(f"/cases/{case_id}/attachments", files={"file": ("e.txt", b"evidence")})
            c.post(f"/cases/{case_id}/resolve", json={"verdict": "true_positive"})
            report = c.get(f"/cases/{case_id}/report")
            assert report.status_code == 200 and "PowerShell" in report.text
            starter = c.get("/case-templates").json()["items"]
            assert len(starter) == 4  # the starter templates are bundled too
        assert httpx.get(srv.url + "/login").status_code == 200  # templates are bundled
        htmx = httpx.get(srv.url + "/static/vendor/htmx/htmx.min.js")
        assert htmx.status_code == 200 and len(htmx.content) > 40_000  # so are the assets
        health = httpx.get(srv.url + "/healthz").json()
        assert health["status"] == "ok" and health["db"] == "ok" and health["ch"] == "ok"
        assert srv.stop() == 0
    finally:
        srv.kill()


def test_binary_nodes_on_postgresql_with_evidence_in_a_bucket(
    tmp_path: Path, built_binary: Path, postgres: PostgresCluster
) -> None:
    s3 = SeaweedS3().start()
    url, blob_url = postgres.fresh_database(), s3.bucket()
    a, b = nodes(tmp_path, url, env=s3.config(blob_url), command=[str(built_binary)])
    try:
        a.start()
        b.start()
        token = a.token()
        with a.client(token) as on_a, b.client(token) as on_b:
            created = on_a.post("/alerts", json=alert("bin-pg"))
            assert created.status_code == 201, created.text
            case_id = on_a.post(f"/alerts/{created.json()['id']}/escalate", json={}).json()[
                "case_id"
            ]
            sent = on_a.post(f"/cases/{case_id}/attachments", files={"file": ("e.txt", b"ev")})
            assert sent.status_code == 201, sent.text
            got = on_b.get(f"/cases/{case_id}/attachments/{sent.json()['id']}")
            assert got.status_code == 200 and got.content == b"ev"
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:  # indexed on the other node too
                found = on_b.get("/observables/search", params={"value": "203.0.113.4"}).json()
                if found["alert_count"]:
                    break
                time.sleep(0.2)
            assert [x["id"] for x in found["alerts"]] == [created.json()["id"]]
        for node in a, b:
            health = httpx.get(node.url + "/healthz").json()
            assert health["status"] == "ok" and health["db"] == "ok", health
        assert b.stop() == 0 and a.stop() == 0
    finally:
        a.kill()
        b.kill()
        s3.stop()
