"""Builds the domain services over one data dir, and the scheduler that drives their clocks."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from wsgiref.simple_server import WSGIServer

from apscheduler.schedulers.background import BackgroundScheduler
from prometheus_client import start_http_server

from irbox import clock
from irbox.alerts.covered import CoveredAlerts
from irbox.alerts.saved_views import SavedViewService
from irbox.alerts.service import AlertService
from irbox.attack import catalogue as attack_catalogue
from irbox.audit.log import AuditLog
from irbox.cases import assignment, overdue
from irbox.cases.bulk import BulkService
from irbox.cases.comments import CommentService
from irbox.cases.custom_fields import CustomFieldService
from irbox.cases.escalation import EscalationService
from irbox.cases.evidence import EvidenceService
from irbox.cases.grouping import GroupingRuleService, group_new_alerts
from irbox.cases.links import LinkService
from irbox.cases.merge import MergeService
from irbox.cases.resolution import ResolutionService
from irbox.cases.service import CaseService
from irbox.cases.tasks import TaskService
from irbox.cases.templates import TemplateService
from irbox.cases.together import EscalateTogether
from irbox.cases.transfer import CaseTransfer
from irbox.config import Config, split_listen
from irbox.dashboard.figures import DashboardService
from irbox.idempotency.records import IdempotencyStore
from irbox.identity.api_keys import ApiKeyService
from irbox.identity.auth_cache import AuthCache
from irbox.identity.directory import Directory
from irbox.identity.directory_review import DirectoryReview
from irbox.identity.sessions import SessionService
from irbox.identity.two_factor import TwoFactorService
from irbox.identity.users import FIRST_PASSWORD_FILE, UserService
from irbox.index.database import IndexDatabase
from irbox.index.indexer import Indexer
from irbox.index.rebuild import REBUILD_REASONS, needs_rebuild, rebuild
from irbox.license.service import LicenseService
from irbox.node import node_id
from irbox.notifications import mail
from irbox.notifications.inbox import NotificationService
from irbox.notifications.mail_sender import MailSender
from irbox.notifications.subscriptions import SubscriptionService
from irbox.observables.related import RelatedFinder
from irbox.observables.search import ObservableSearch
from irbox.observables.suppression import SuppressionService
from irbox.operations.health import HealthService
from irbox.operations.metrics import Metrics, Standing
from irbox.reports.settings import ReportSettingsService
from irbox.sealed import KEY_FILE, SecretBox
from irbox.sla.targets import SlaService
from irbox.store import changes, engine, index_cursors, outbox
from irbox.store import settings as settings_table
from irbox.store.blobs import open_blob_store
from irbox.store.database import Connection
from irbox.webhooks.dispatcher import Dispatcher
from irbox.webhooks.outbox import PUBLIC_URL_SETTING
from irbox.webhooks.service import WebhookService

log = logging.getLogger("irbox.services")
SLA_CHECK_S = 5  # how soon a case's breach is recorded and announced after its due time
DISPATCH_EVERY_S = 0.5  # how often due webhook deliveries are looked for
EVIDENCE_SWEEP_DELAY_S = 5  # after start; then hourly (a bucket's listing may be long)


class Services:
    """The domain services over one data dir: everything a CLI command may call. The server
    builds `ServerServices`, which adds what only the one serving process may own."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.metrics = Metrics()
        self.db = engine.open_database(config)
        self.writer = engine.open_writer(config, on_commit=self.metrics.writer_committed)
        self.auth_cache = auth_cache = AuthCache()
        self.users = UserService(
            self.db,
            self.writer,
            auth_cache,
            config.data_path / FIRST_PASSWORD_FILE,
            Directory(config),
        )
        self.users.on_lost_work = assignment.release
        self.api_keys = ApiKeyService(self.db, self.writer, auth_cache)
        self.sessions = SessionService(self.db, self.writer, config.require_mfa)
        self.suppressions = SuppressionService(self.db, self.writer)
        self.sla = SlaService(self.db, self.writer)
        self.alerts = AlertService(
            self.db,
            self.writer,
            self.suppressions,
            on_ingested=self.metrics.alert_ingested,
            sla=self.sla,
            grouping=group_new_alerts,
        )
        self.grouping_rules = GroupingRuleService(self.db, self.writer)
        self.idempotency = IdempotencyStore(
            self.db, self.writer, lease_s=config.idempotency_lease_s
        )
        self.audit = AuditLog(self.db)
        self.attack = attack_catalogue.load(config.data_path)
        self.cases = CaseService(self.db, self.writer, self.attack, config.public_url, self.sla)
        self.escalation = EscalationService(self.writer)
        self.bulk = BulkService(self.alerts, self.escalation)
        self.comments = CommentService(self.writer)
        self.tasks = TaskService(self.db, self.writer)
        self.links = LinkService(self.db, self.writer)
        self.merges = MergeService(self.writer)
        self.custom_fields = CustomFieldService(self.db, self.writer)
        self.templates = TemplateService(self.db, self.writer)
        self.notifications = NotificationService(self.db, self.writer)
        self.subscriptions = SubscriptionService(self.db, self.writer)
        self.saved_views = SavedViewService(self.db, self.writer)
        self.evidence = EvidenceService(
            self.db,
            self.writer,
            open_blob_store(config),
            config.data_path / "attachments" / "tmp",
            config.max_upload_bytes,
        )
        self.report_settings = ReportSettingsService(self.db, self.writer)
        self.resolution = ResolutionService(
            self.cases, self.writer, config.data_path / "reports", self.report_settings
        )
        # An archive may carry many files: twenty uploads' worth (1000 MiB by default).
        self.transfer = CaseTransfer(
            self.cases, self.evidence, self.attack, config.max_upload_bytes * 20
        )
        max_age_us = int(config.webhook_retry_max_age_h * 3600 * 1_000_000)
        secret_box = SecretBox(config.data_path / KEY_FILE)
        self.node = node_id(config.data_path)  # this node's name on a shared database
        self.two_factor = TwoFactorService(self.db, self.writer, secret_box)
        self.dispatcher = Dispatcher(
            self.db,
            self.writer,
            config.webhook_timeout_s,
            config.webhook_retry_base_s,
            max_age_us,
            secret_box,
            self.node,
            tuple(config.webhook_refused_targets),
            on_attempt=self.metrics.delivery_attempted,
        )
        self.webhooks = WebhookService(
            self.db,
            self.writer,
            max_age_us,
            self.dispatcher.wake,
            secret_box,
            tuple(config.webhook_refused_targets),
        )
        self.license = LicenseService(
            self.db, self.writer, config.license_path, config.license_public_keys
        )

    def close(self) -> None:
        self.dispatcher.close()
        self.writer.close()
        self.db.close()


class ServerServices(Services):
    """The services of the serving process: the domain services plus what exactly one process
    may own, the observable index (and what reads it), its indexer and the scheduler.
    `start_background()` starts the threads; `close()` stops them."""

    def __init__(self, config: Config) -> None:
        super().__init__(config)
        self.index = self._open_index()
        self.indexer = Indexer(
            self.db, self.index, self.writer, self.node, config.index_flush_ms / 1000
        )
        self.health = HealthService(
            self.db, self.writer, self.index, self.license, lambda: self.indexer.missed_rows
        )
        self.observables = ObservableSearch(self.db, self.index, self.suppressions)
        self.dashboard = DashboardService(self.index, self.suppressions)
        self.related = RelatedFinder(self.db, self.index)
        self.together = EscalateTogether(self.related, self.bulk)
        self.covered = CoveredAlerts(self.db, self.index, self.suppressions, self.alerts)
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self.mail = MailSender(self.db, self.writer, config, self.node, self.metrics.mail_attempted)
        self.mail_outbox = mail.MailOutbox(self.writer, self.mail.wake)
        self.dispatcher.on_failed = mail.delivery_failed
        self.metrics.watch(Standing(self.db, self.index, self.license))
        self._metrics_server: WSGIServer | None = None
        self.listener: engine.Closing | None = None

    def _open_index(self) -> IndexDatabase:
        config = self.config
        index = IndexDatabase(config.index_path, memory_mb=config.index_memory_mb)
        reason = self.db.read(lambda conn: needs_rebuild(index, conn))
        if reason is None:
            return index
        # A new, older or restored index file: outbox rows it never saw are gone, so rebuild.
        # Only a file behind its outbox is news to the operator.
        log.log(logging.WARNING if reason == "behind" else logging.INFO, REBUILD_REASONS[reason])
        index.close()
        # Other nodes keep the outbox rows written from now on until this index has applied
        # them (the rebuild reads a snapshot taken after this).
        node, now = self.node, clock.now_us()

        def hold_rows_from_now(conn: Connection) -> None:
            index_cursors.report(conn, node, outbox.last_seq(conn), now)

        self.writer.run_sync(hold_rows_from_now)
        rebuild(self.db, config.index_path, config.index_memory_mb)
        return IndexDatabase(config.index_path, memory_mb=config.index_memory_mb)

    def start_background(self) -> None:
        # Other nodes' changes to what this one keeps in memory (PostgreSQL; None on SQLite).
        self.listener = engine.listen(
            self.config,
            {
                changes.AUTH: self._users_changed,
                changes.SUPPRESSIONS: self.suppressions.heard_of_change,
                changes.LICENSE: self.license.check,
                changes.SLA_TARGETS: self.sla.reload,
            },
        )
        self.indexer.start()
        public_url = self.config.public_url  # for the links in chat messages (webhooks.outbox)
        self.writer.run_sync(lambda conn: settings_table.put(conn, PUBLIC_URL_SETTING, public_url))
        self.mail.start()
        if discarded := self.evidence.discard_abandoned_uploads():
            log.info("removed %d partial uploads left by an earlier stop", discarded)
        self.license.check()
        self.users.on_change = self.license.check
        if released := self.dispatcher.release_claims():
            log.info("%d webhook deliveries held at an earlier stop are due again", released)
        jobs = self.scheduler
        jobs.add_job(self.license.check, "interval", hours=1, id="license-check")
        jobs.add_job(self.license.check_if_changed, "interval", minutes=1, id="license-file-watch")
        jobs.add_job(
            self.idempotency.purge, "interval", hours=1, id="idempotency-purge", coalesce=True
        )
        jobs.add_job(self.sessions.purge, "interval", hours=1, id="session-purge")
        if self.users.directory is not None and self.users.directory.enabled:
            review_s = self.config.ldap_review_every_s
            if review_s > 0:
                jobs.add_job(DirectoryReview(self.users).run, "interval", seconds=review_s,
                             id="directory-review", coalesce=True, max_instances=1)  # fmt: skip
        jobs.add_job(  # first soon after start: a node restarted often still sweeps
            self._sweep_evidence,
            "interval",
            hours=1,
            id="evidence-sweep",
            next_run_time=datetime.now(UTC) + timedelta(seconds=EVIDENCE_SWEEP_DELAY_S),
            coalesce=True,
            max_instances=1,
        )
        jobs.add_job(self._record_sla_breaches, "interval", seconds=SLA_CHECK_S, id="sla-breaches")
        jobs.add_job(
            self.dispatcher.tick,
            "interval",
            seconds=DISPATCH_EVERY_S,
            id="webhook-dispatch",
            coalesce=True,
            max_instances=1,
        )
        jobs.start()
        if self.config.metrics_listen:
            host, port = split_listen(self.config.metrics_listen, "metrics_listen")
            self._metrics_server, _ = start_http_server(port, host, self.metrics.registry)

    def _sweep_evidence(self) -> None:
        if gone := self.evidence.sweep_unreferenced():
            log.info("deleted %d stored evidence files no attachment holds", gone)

    def _users_changed(self) -> None:
        """On another node: who may do what (this node's key cache), and the seats in use."""
        self.auth_cache.clear()
        self.license.check()

    def _record_sla_breaches(self) -> None:
        """Cases newly past their time-to-resolve: recorded, announced, their webhooks sent."""
        if self.writer.run_sync(
            lambda conn: overdue.record_breaches(conn, self.sla, clock.now_us())
        ):
            self.dispatcher.wake()

    def close(self) -> None:
        if self._metrics_server is not None:
            self._metrics_server.shutdown()
            self._metrics_server.server_close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        self.indexer.stop()
        if self.listener is not None:
            self.listener.close()
        self.mail.close()
        super().close()
        self.index.close()
