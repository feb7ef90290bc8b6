"""Prometheus scrapes `/metrics`: a key with `metrics:read` reads the text format, and its figures
move as alerts are ingested, escalated and delivered to a webhook; `metrics_listen` serves the
same without a token on an address of its own."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.harness import Server, alert, free_port
from tests.receiver import Receiver

Samples = dict[tuple[str, tuple[tuple[str, str], ...]], float]


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver().start()
    yield r
    r.stop()


@pytest.fixture
def watched(fresh_server: Server) -> Server:
    fresh_server.env["IRBOX_METRICS_LISTEN"] = f"127.0.0.1:{free_port()}"
    return fresh_server.start()


def _parse(text: str) -> Samples:
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def _scrape(server: Server, token: str) -> Samples:
    answer = httpx.get(
        server.url + "/metrics", headers={"Authorization": f"Bearer {token}"}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/plain; version=0.0.4")
    return _parse(answer.text)


def _value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def test_metrics_need_a_key_with_metrics_read(watched: Server) -> None:
    assert httpx.get(watched.url + "/metrics").status_code == 401
    reader = watched.token(scopes="alerts:read", name="no-metrics")
    refused = httpx.get(watched.url + "/metrics", headers={"Authorization": f"Bearer {reader}"})
    assert refused.status_code == 403
    assert refused.json()["details"] == {"required_scope": "metrics:read"}
    scraper = watched.token(scopes="metrics:read", name="prometheus")
    assert _value(_scrape(watched, scraper), "irbox_license_locked") == 0


def test_figures_move_with_ingest_escalation_and_deliveries(
    watched: Server, receiver: Receiver
) -> None:
    token = watched.token()
    before = _scrape(watched, token)
    with watched.client(token) as api:
        assert (
            api.post(
                "/webhooks", json={"url": receiver.url, "events": ["case.created"]}
            ).status_code
            == 201
        )
        first = api.post("/alerts", json=alert("m1", severity="critical"))
        assert first.status_code == 201
        assert api.post("/alerts", json=alert("m1", severity="critical")).status_code == 200
        escalated = api.post(f"/alerts/{first.json()['id']}/escalate", json={"case_id": None})
        assert escalated.status_code == 201
    receiver.wait_for_deliveries(1)
    deadline = time.monotonic() + 10
    while True:  # the dispatcher counts an attempt once it has recorded it
        after = _scrape(watched, token)
        delivered = _value(after, "irbox_webhook_delivery_attempts_total", outcome="delivered")
        if delivered >= 1 or time.monotonic() > deadline:
            break
        time.sleep(0.1)

    def moved(name: str, **labels: str) -> float:
        return _value(after, name, **labels) - _value(before, name, **labels)

    assert moved("irbox_alerts_ingested_total", outcome="created") == 1
    assert moved("irbox_alerts_ingested_total", outcome="deduplicated") == 1
    assert moved("irbox_cases_open", severity="critical") == 1
    assert delivered == 1
    ingest = {"method": "POST", "route": "/api/v1/alerts"}
    assert moved("irbox_http_requests_total", **ingest, status="201") == 1
    assert moved("irbox_http_requests_total", **ingest, status="200") == 1
    escalate = {"method": "POST", "route": "/api/v1/alerts/{alert_id}/escalate"}
    assert moved("irbox_http_requests_total", **escalate, status="201") == 1
    assert moved("irbox_http_request_duration_seconds_count", **escalate) == 1
    assert moved("irbox_writer_batch_writes_count") >= 4  # webhook, 2 ingests, escalation
    assert _value(after, "irbox_index_lag_seconds") < 60


def test_a_refused_request_is_counted_under_its_route(watched: Server) -> None:
    token = watched.token()
    before = _scrape(watched, token)
    assert httpx.post(watched.url + "/api/v1/alerts", json=alert()).status_code == 401
    assert httpx.get(watched.url + "/no/such/page").status_code == 404
    after = _scrape(watched, token)
    refused = {"method": "POST", "route": "/api/v1/alerts", "status": "401"}
    assert (
        _value(after, "irbox_http_requests_total", **refused)
        - _value(before, "irbox_http_requests_total", **refused)
        == 1
    )
    unmatched = {"method": "GET", "route": "unmatched", "status": "404"}
    assert _value(after, "irbox_http_requests_total", **unmatched) >= 1


def test_metrics_listen_serves_scrapers_without_a_token(watched: Server) -> None:
    address = watched.env["IRBOX_METRICS_LISTEN"]
    answer = httpx.get(f"http://{address}/metrics", timeout=10)
    assert answer.status_code == 200
    samples = _parse(answer.text)
    assert ("irbox_license_locked", ()) in samples
