"""What `/metrics` tells Prometheus, in its text format (the maintained `prometheus-client`).

Two kinds of figures. Events are counted as they happen, by hooks the services are built with
(plain callables, so the domains know nothing of Prometheus): requests, ingests, writer commits,
webhook delivery attempts. Standing figures are read when scraped, from storage and the
services: open cases, the index's lag, pending deliveries, the license's days left. Counters
start at zero with each process, as Prometheus expects of a restart.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from irbox import clock
from irbox.alerts.models import SEVERITIES, IngestResult
from irbox.store import cases as cases_table
from irbox.store import deliveries as deliveries_table
from irbox.store import outbox
from irbox.store.database import Database

if TYPE_CHECKING:
    from irbox.index.database import IndexDatabase
    from irbox.license.service import LicenseService

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# Request latencies from a fast ingest (~1 ms) to a slow report (seconds).
LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
BATCH_BUCKETS = (1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024)
COMMIT_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1)
UNMATCHED = "unmatched"  # the route label of a path no route answers: bounded cardinality


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self._requests = Counter(
            "irbox_http_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=r,
        )  # fmt: skip
        self._latency = Histogram(
            "irbox_http_request_duration_seconds", "Time to answer an HTTP request",
            ["method", "route"], buckets=LATENCY_BUCKETS, registry=r,
        )  # fmt: skip
        self._ingests = Counter(
            "irbox_alerts_ingested", "Alerts acknowledged, by what became of them",
            ["outcome"], registry=r,
        )  # fmt: skip
        self._batch = Histogram(
            "irbox_writer_batch_writes", "Writes committed together in one transaction",
            buckets=BATCH_BUCKETS, registry=r,
        )  # fmt: skip
        self._commit = Histogram(
            "irbox_writer_commit_seconds", "Time from BEGIN to a durable COMMIT of one batch",
            buckets=COMMIT_BUCKETS, registry=r,
        )  # fmt: skip
        self._deliveries = Counter(
            "irbox_webhook_delivery_attempts", "Webhook delivery attempts, by outcome",
            ["outcome"], registry=r,
        )  # fmt: skip
        self._mails = Counter(
            "irbox_mail_attempts", "Attempts to hand a mail to the SMTP relay, by outcome",
            ["outcome"], registry=r,
        )  # fmt: skip

    def request(self, method: str, route: str | None, status: int, seconds: float) -> None:
        label = route or UNMATCHED
        self._requests.labels(method, label, str(status)).inc()
        self._latency.labels(method, label).observe(seconds)

    def alert_ingested(self, result: IngestResult) -> None:
        if result.deduplicated:
            outcome = "deduplicated"
        elif result.status == "dismissed":
            outcome = "suppressed"
        else:
            outcome = "created"
        self._ingests.labels(outcome).inc()

    def writer_committed(self, writes: int, seconds: float) -> None:
        self._batch.observe(writes)
        self._commit.observe(seconds)

    def delivery_attempted(self, outcome: str) -> None:
        """`delivered`, `retrying` (failed, to be tried again) or `failed` (given up)."""
        self._deliveries.labels(outcome).inc()

    def mail_attempted(self, outcome: str) -> None:
        """`sent`, `retrying` (refused or unreachable, to be tried again) or `failed`."""
        self._mails.labels(outcome).inc()

    def watch(self, collector: Collector) -> None:
        self.registry.register(collector)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


class Standing(Collector):
    """Figures read at scrape time, from storage and the services of the serving process."""

    def __init__(self, db: Database, index: IndexDatabase, license: LicenseService) -> None:
        self.db = db
        self.index = index
        self.license = license

    def collect(self) -> Iterator[GaugeMetricFamily]:
        open_cases = GaugeMetricFamily(
            "irbox_cases_open", "Cases not resolved, by severity", labels=["severity"]
        )
        counts = self.db.read(cases_table.unresolved_by_severity)
        for severity in SEVERITIES:
            open_cases.add_metric([severity], counts.get(severity, 0))
        yield open_cases
        oldest = self.db.read(outbox.oldest_after, self.index.applied_seq())
        lag_s = 0.0 if oldest is None else max(0, clock.now_us() - oldest) / 1_000_000
        yield GaugeMetricFamily(
            "irbox_index_lag_seconds",
            "Age of the oldest change the observable index has not applied (0: caught up)",
            value=lag_s,
        )
        yield GaugeMetricFamily(
            "irbox_webhook_deliveries_pending",
            "Webhook deliveries waiting to be made or retried",
            value=self.db.read(deliveries_table.pending_count),
        )
        yield from self._license()

    def _license(self) -> Iterator[GaugeMetricFamily]:
        status = self.license.status
        yield GaugeMetricFamily(
            "irbox_license_grace_hours", "Hours spent in the grace period (0: valid)",
            value=status.grace_h,
        )  # fmt: skip
        yield GaugeMetricFamily(
            "irbox_license_locked", "1 when the org is locked", value=int(status.locked)
        )
        if status.license is not None:
            left_s = (clock.parse_rfc3339(status.license.expires_at) - clock.now_us()) / 1e6
            yield GaugeMetricFamily(
                "irbox_license_days_left", "Days until the license expires (negative: past)",
                value=round(left_s / 86400, 2),
            )  # fmt: skip
