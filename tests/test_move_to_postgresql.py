"""An operator moves an appliance from SQLite to PostgreSQL with `irbox migrate --to`: every
table arrives with its ids and counters, counts and hashes are checked, the index is rebuilt
from the new database, and irbox started on it serves the same alerts and cases and goes on
numbering after them."""

from __future__ import annotations

from pathlib import Path

import psycopg

from tests.harness import Server
from tests.postgres import PostgresCluster


def _alert(external_id: str, ip: str) -> dict:
    return {
        "source": "edr", "external_id": external_id, "severity": "high",
        "title": f"Beacon to {ip}", "detected_at": "2026-06-02T09:14:00Z",
        "observables": [{"type": "ip", "value": ip}],
    }  # fmt: skip


def test_an_appliance_moves_to_postgresql(tmp_path: Path, postgres: PostgresCluster) -> None:
    data = tmp_path / "data"
    sqlite = Server(data, database_url="").start()
    token = sqlite.token()
    with sqlite.client(token) as api:
        first = api.post("/alerts", json=_alert("a-1", "203.0.113.7")).json()["id"]
        api.post("/alerts", json=_alert("a-1", "203.0.113.7"))  # a duplicate: 2 occurrences
        second = api.post("/alerts", json=_alert("a-2", "198.51.100.9")).json()["id"]
        case = api.post(f"/alerts/{second}/escalate", json={"case_id": None}).json()["case_id"]
        api.post(f"/cases/{case}/comments", json={"body": "moved **intact**"})
        before_alerts = api.get("/alerts").json()["items"]
        before_case = api.get(f"/cases/{case}").json()
    sqlite.stop()

    url = postgres.fresh_database()
    moved = sqlite.cli("migrate", "--to", url)
    assert "every table's row count and hash match" in moved.stdout
    assert f'database_url = "{url}"' in moved.stdout
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT count(*), sum(occurrences) FROM alerts").fetchone() == (2, 3)

    on_postgres = Server(data, database_url=url).start()
    with on_postgres.client(token) as api:  # the API key came along
        assert api.get("/alerts").json()["items"] == before_alerts
        assert api.get(f"/cases/{case}").json() == before_case
        found = api.get("/observables/search", params={"type": "ip", "value": "203.0.113.7"})
        assert [hit["id"] for hit in found.json()["alerts"]] == [first]
        assert api.get("/alerts", params={"q": "beacon"}).json()["items"] != []
        third = api.post("/alerts", json=_alert("a-3", "192.0.2.1"))
        assert third.status_code == 201
        newest = api.get("/alerts").json()["items"][0]
        assert newest["id"] == third.json()["id"]  # numbered after the copied alerts
        number = api.post("/cases", json={"title": "After the move", "severity": "low"}).json()
        assert number["number"] == before_case["number"] + 1
    on_postgres.stop()


def test_a_database_with_rows_is_refused(tmp_path: Path, postgres: PostgresCluster) -> None:
    url = postgres.fresh_database()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("CREATE TABLE theirs (x int)")
        conn.execute("INSERT INTO theirs VALUES (1)")
    sqlite = Server(tmp_path / "data", database_url="")
    sqlite.cli("init")
    refused = sqlite.cli("migrate", "--to", url, check=False)
    assert refused.returncode == 1
    assert "not empty" in refused.stderr
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT to_regclass('alerts')").fetchone()[0] is None


def test_a_running_server_keeps_its_data_dir(tmp_path: Path, postgres: PostgresCluster) -> None:
    sqlite = Server(tmp_path / "data", database_url="").start()
    refused = sqlite.cli("migrate", "--to", postgres.fresh_database(), check=False)
    assert refused.returncode == 1
    assert "stop the irbox server first" in refused.stderr
    sqlite.stop()
