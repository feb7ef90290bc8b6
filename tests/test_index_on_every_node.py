"""Every node keeps an observable index of its own, fed from the shared outbox with a cursor of
its own: what is ingested on one node is found on the other; outbox rows wait for a node that
is briefly down; a node away too long, or new, builds its index from the database."""

from __future__ import annotations

import shutil
import time

import httpx

from irbox.index.rebuild import REBUILD_REASONS
from irbox.node import NODE_FILE
from tests.harness import Server, alert


def _found(api: httpx.Client, value: str) -> int:
    answer = api.get("/observables/search", params={"type": "domain", "value": value})
    assert answer.status_code == 200, answer.text
    return answer.json()["alert_count"]


def _wait_found(api: httpx.Client, value: str, count: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _found(api, value) < count:
        assert time.monotonic() < deadline, f"{value}: {_found(api, value)} of {count} found"
        time.sleep(0.1)


def _ingest(api: httpx.Client, value: str, count: int) -> None:
    for n in range(count):
        sent = api.post("/alerts", json=alert(f"{value}-{n}", observables=_domain(value)))
        assert sent.status_code == 201, sent.text


def _domain(value: str) -> list[dict[str, str]]:
    return [{"type": "domain", "value": value}]


def _outbox_rows(node: Server) -> int:
    with node.database() as conn:
        return conn.execute("SELECT count(*) FROM index_outbox").fetchone()[0]


def _wait_outbox_empty(node: Server, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while _outbox_rows(node):
        assert time.monotonic() < deadline, f"{_outbox_rows(node)} outbox rows left"
        time.sleep(0.2)


def test_an_alert_ingested_on_one_node_is_found_on_the_other(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    with a.client(a.token()) as on_a, b.client(b.token()) as on_b:
        _ingest(on_a, "from-a.example", 3)
        _ingest(on_b, "from-b.example", 2)
        for api in (on_a, on_b):
            _wait_found(api, "from-a.example", 3)
            _wait_found(api, "from-b.example", 2)


def test_outbox_rows_wait_for_a_node_that_is_briefly_down(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    token = a.token()
    b.kill()
    with a.client(token) as on_a:
        _ingest(on_a, "while-b-was-down.example", 5)
        _wait_found(on_a, "while-b-was-down.example", 5)
        time.sleep(1.5)  # three of a's pruning rounds
    assert _outbox_rows(a) >= 5  # kept for b, which has not applied them
    b.start()
    with b.client(token) as on_b:
        _wait_found(on_b, "while-b-was-down.example", 5)
    assert REBUILD_REASONS["behind"] not in b.log_path.read_text()  # it caught up, no rebuild
    _wait_outbox_empty(a)  # both applied them: gone


def test_a_node_away_too_long_or_new_builds_its_index_from_the_database(
    two_nodes: tuple[Server, Server],
) -> None:
    a, b = two_nodes
    token = a.token()
    b.kill()
    b_name = (b.data_dir / NODE_FILE).read_text().strip()
    with a.database() as conn:  # b was last heard from sixteen minutes ago
        conn.execute(
            "UPDATE index_cursors SET seen_at = seen_at - ? WHERE node = ?",
            (16 * 60 * 1_000_000, b_name),
        )
    with a.client(token) as on_a:
        _ingest(on_a, "while-b-was-gone.example", 4)
        _wait_outbox_empty(a)  # a no longer keeps rows for b
    b.start()
    assert REBUILD_REASONS["behind"] in b.log_path.read_text()
    newcomer = Server(a.data_dir.parent / "c", env=a.env, database_url=a.database_url)
    newcomer.cli("init")
    shutil.copy2(a.data_dir / "secret.key", newcomer.data_dir / "secret.key")
    newcomer.start()
    try:
        for node in (b, newcomer):
            with node.client(token) as api:
                _wait_found(api, "while-b-was-gone.example", 4)
    finally:
        newcomer.kill()
