"""Alerts that arrive together: the writer stores the ingests of one batch in one pass
(`IngestJob.run_all`). New alerts, duplicates of each other and of stored alerts, and suppressed
ones in the same batch each get their own answer, row, audit entry and index event. Real
services over a real data dir."""

from __future__ import annotations

import asyncio
import json
import sqlite3
import threading
from typing import Any

import msgspec

from irbox.alerts.models import AlertFilter, AlertIn, IngestResult
from irbox.identity.principal import Actor
from irbox.observables.suppression import SuppressIn
from irbox.services import Services
from tests.harness import alert

ACTOR = Actor(user_id=None, key_id="key_test", ip="127.0.0.1")


def ingest_together(services: Services, bodies: list[dict[str, object]]) -> list[Any]:
    """Ingest `bodies` concurrently while the writer is held, so they share one batch. Each
    result is an IngestResult or the exception that ingest raised."""
    barrier, started = threading.Event(), threading.Event()
    blocker = services.writer.submit(lambda c: (started.set(), barrier.wait(5)))
    assert started.wait(5)
    commits = services.writer.commits

    async def all_at_once() -> list[Any]:
        tasks = [
            asyncio.ensure_future(services.alerts.ingest(msgspec.convert(b, AlertIn), ACTOR))
            for b in bodies
        ]
        await asyncio.sleep(0.05)  # every task has queued its job behind the blocker
        barrier.set()
        return await asyncio.gather(*tasks, return_exceptions=True)

    results = asyncio.run(all_at_once())
    blocker.result(5)
    assert services.writer.commits == commits + 2  # the blocker's batch, then all of these
    return results


def rows(services: Services, sql: str) -> list[sqlite3.Row]:
    return services.db.read(lambda conn: conn.execute(sql).fetchall())


def test_new_and_duplicate_alerts_in_one_batch(services: Services) -> None:
    stored = ingest_together(services, [alert("stored")])[0]
    results = ingest_together(
        services,
        [alert("a"), alert("stored"), alert("b"), alert("a"), alert("a"), alert("c")],
    )
    a, dup_stored, b, a2, a3, c = results
    assert [r.deduplicated for r in results] == [False, True, False, True, True, False]
    assert dup_stored.id == stored.id
    assert a2.id == a3.id == a.id
    assert len({a.id, b.id, c.id, stored.id}) == 4
    counts = {r["external_id"]: r["occurrences"] for r in rows(services, "SELECT * FROM alerts")}
    assert counts == {"ext-stored": 2, "ext-a": 3, "ext-b": 1, "ext-c": 1}
    # Stored in the order they arrived: newest first lists c, b, a.
    page = services.alerts.list(AlertFilter(), None, 10)
    assert [item.id for item in page.items] == [c.id, b.id, a.id, stored.id]
    created = rows(services, "SELECT entity_id FROM audit_log WHERE action = 'alert.create'")
    assert [r[0] for r in created] == [stored.id, a.id, b.id, c.id]
    # One index event per ingest, in order, `new` only for the first of each alert.
    events = [json.loads(r[0]) for r in rows(services, "SELECT payload FROM index_outbox")]
    seen = [(e[1], e[6]) for e in events if e[0] == "alert_seen"]
    assert seen == [
        (stored.id, True),
        (a.id, True),
        (stored.id, False),
        (b.id, True),
        (a.id, False),
        (a.id, False),
        (c.id, True),
    ]


def test_a_suppressed_alert_in_a_batch_is_stored_dismissed(services: Services) -> None:
    noise = {"type": "ip", "value": "198.51.100.7"}
    suppression = SuppressIn(type="ip", value="198.51.100.7", reason="scanner")
    asyncio.run(services.suppressions.create(suppression, ACTOR))
    quiet, loud = ingest_together(services, [alert("quiet", observables=[noise]), alert("loud")])
    assert (quiet.status, loud.status) == ("dismissed", "triage")
    assert services.alerts.get(quiet.id).dismissal.reason_code == "suppressed"
    assert services.alerts.get(loud.id).dismissal is None


def test_an_alert_the_pass_cannot_store_fails_alone(services: Services) -> None:
    """A row the database refuses (here: a trigger standing in for any constraint) fails the
    batch's pass; the writer then stores the others one by one and only that ingest fails."""
    if services.db.dialect == "postgresql":
        trigger = [
            "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            " IF NEW.external_id = 'ext-bad' THEN RAISE EXCEPTION 'refused'; END IF;"
            " RETURN NEW; END $$",
            "CREATE TRIGGER refuse BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION refuse()",
        ]
    else:
        trigger = [
            "CREATE TRIGGER refuse BEFORE INSERT ON alerts WHEN NEW.external_id = 'ext-bad'"
            " BEGIN SELECT RAISE(ABORT, 'refused'); END"
        ]
    for statement in trigger:
        services.writer.run_sync(lambda c, sql=statement: c.execute(sql))
    ok1, bad, ok2 = ingest_together(services, [alert("ok1"), alert("bad"), alert("ok2")])
    assert isinstance(bad, Exception) and "refused" in str(bad)
    assert isinstance(ok1, IngestResult) and isinstance(ok2, IngestResult)
    stored = rows(services, "SELECT external_id FROM alerts ORDER BY seq")
    assert [r[0] for r in stored] == ["ext-ok1", "ext-ok2"]
    events = rows(services, "SELECT count(*) FROM index_outbox WHERE kind = 'alert_seen'")
    assert events[0][0] == 2  # nothing of the failed pass or the refused alert is left
