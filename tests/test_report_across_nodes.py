"""A case resolved on one node, reopened and resolved again on the other: each node answers with
the report of the resolution that holds now (reports are files each node writes for itself,
named for their resolution), never a copy of the one before."""

from __future__ import annotations

from pathlib import Path

from tests.harness import Server
from tests.postgres import PostgresCluster


def test_a_report_follows_its_resolution_on_every_node(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    url = postgres.fresh_database()
    a = Server(tmp_path / "a", database_url=url)
    b = Server(tmp_path / "b", database_url=url)
    a.cli("init")
    b.cli("init")
    a.start()
    b.start()
    try:
        token = a.token()
        with a.client(token) as on_a, b.client(token) as on_b:
            made = on_a.post("/cases", json={"title": "reported", "severity": "low"})
            case_id = made.json()["id"]
            first = {"verdict": "benign", "root_cause": "first cause", "narrative": "n"}
            assert on_a.post(f"/cases/{case_id}/resolve", json=first).status_code == 200
            assert "first cause" in on_b.get(f"/cases/{case_id}/report").text
            assert on_b.post(f"/cases/{case_id}/reopen").status_code == 200
            second = {**first, "root_cause": "second cause"}
            assert on_b.post(f"/cases/{case_id}/resolve", json=second).status_code == 200
            for api in (on_a, on_b):
                report = api.get(f"/cases/{case_id}/report").text
                assert "second cause" in report and "first cause" not in report
    finally:
        a.kill()
        b.kill()
