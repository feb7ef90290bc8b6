"""Builds the domain services over one data dir, and the scheduler that drives their clocks."""

from __future__ import annotations

import logging
from typing import TypeVar

from apscheduler.schedulers.background import BackgroundScheduler

from irbox.alerts.service import AlertService
from irbox.attack import catalogue as attack_catalogue
from irbox.audit.log import AuditLog
from irbox.cases import assignment
from irbox.cases.comments import CommentService
from irbox.cases.escalation import EscalationService
from irbox.cases.evidence import EvidenceService
from irbox.cases.resolution import ResolutionService
from irbox.cases.service import CaseService
from irbox.config import Config
from irbox.dashboard.figures import DashboardService
from irbox.idempotency import IdempotencyStore
from irbox.identity.api_keys import ApiKeyService
from irbox.identity.auth_cache import AuthCache
from irbox.identity.sessions import SessionService
from irbox.identity.users import FIRST_PASSWORD_FILE, UserService
from irbox.index.database import IndexDatabase
from irbox.index.indexer import Indexer
from irbox.index.rebuild import REBUILD_REASONS, needs_rebuild, rebuild
from irbox.license.service import LicenseService
from irbox.notifications.inbox import NotificationService
from irbox.observables.search import ObservableSearch
from irbox.observables.suppression import SuppressionService
from irbox.operations.health import HealthService
from irbox.sealed import KEY_FILE, SecretBox
from irbox.store.database import Database
from irbox.store.writer import Writer
from irbox.webhooks.dispatcher import Dispatcher
from irbox.webhooks.service import WebhookService

log = logging.getLogger("irbox.services")
DISPATCH_EVERY_S = 0.5  # how often due webhook deliveries are looked for


class Services:
    """Everything the HTTP layer and the CLI call into. `start_background()` is for the server
    process only: the scheduler and the index belong to exactly one process."""

    def __init__(self, config: Config, *, with_index: bool = True) -> None:
        self.config = config
        self.db = Database(config.db_path)
        self.writer = Writer(config.db_path)
        self.index = (
            IndexDatabase(config.index_path, memory_mb=config.index_memory_mb)
            if with_index
            else None
        )
        auth_cache = AuthCache()
        self.users = UserService(
            self.db, self.writer, auth_cache, config.data_path / FIRST_PASSWORD_FILE
        )
        self.users.on_lost_work = assignment.release
        self.api_keys = ApiKeyService(self.db, self.writer, auth_cache)
        self.sessions = SessionService(self.db, self.writer)
        self.suppressions = SuppressionService(self.db, self.writer)
        self.alerts = AlertService(self.db, self.writer, self.suppressions)
        self.idempotency = IdempotencyStore(self.db, self.writer)
        self.audit = AuditLog(self.db)
        self.attack = attack_catalogue.load(config.data_path)
        self.cases = CaseService(self.db, self.writer, self.attack, config.public_url)
        self.escalation = EscalationService(self.writer)
        self.comments = CommentService(self.writer)
        self.notifications = NotificationService(self.db, self.writer)
        self.evidence = EvidenceService(
            self.db, self.writer, config.data_path, config.max_upload_bytes
        )
        self.resolution = ResolutionService(self.cases, self.writer, config.data_path / "reports")
        max_age_us = int(config.webhook_retry_max_age_h * 3600 * 1_000_000)
        secret_box = SecretBox(config.data_path / KEY_FILE)
        self.dispatcher = Dispatcher(
            self.db,
            self.writer,
            config.webhook_timeout_s,
            config.webhook_retry_base_s,
            max_age_us,
            secret_box,
            tuple(config.webhook_refused_targets),
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
        self.scheduler: BackgroundScheduler | None = None
        # What reads the index exists only where the index is open (the server process).
        self._health: HealthService | None = None
        self._observables: ObservableSearch | None = None
        self._dashboard: DashboardService | None = None
        self.indexer: Indexer | None = None
        if self.index is not None:
            self._bind_index()

    # What reads the index exists only where the index is open (the server process); a CLI
    # command built without it that asked for one of these has a bug, said plainly.
    @property
    def health(self) -> HealthService:
        return _bound(self._health, "health")

    @property
    def observables(self) -> ObservableSearch:
        return _bound(self._observables, "observables")

    @property
    def dashboard(self) -> DashboardService:
        return _bound(self._dashboard, "dashboard")

    def start_background(self) -> None:
        index = self.index
        assert index is not None and self.indexer is not None
        reason = self.db.read(lambda conn: needs_rebuild(index, conn))
        if reason is not None:
            # A new, older or restored index file: outbox rows it never saw are gone, so
            # rebuild. Only a file behind its outbox is news to the operator.
            log.log(
                logging.WARNING if reason == "behind" else logging.INFO,
                REBUILD_REASONS[reason],
            )
            index.close()
            rebuild(self.config.db_path, self.config.index_path, self.config.index_memory_mb)
            self.index = IndexDatabase(
                self.config.index_path, memory_mb=self.config.index_memory_mb
            )
            self._bind_index()
        self.indexer.start()
        if discarded := self.evidence.discard_abandoned_uploads():
            log.info("removed %d partial uploads left by an earlier stop", discarded)
        self.license.check()
        self.users.on_change = self.license.check
        self.scheduler = BackgroundScheduler(timezone="UTC")
        self.scheduler.add_job(self.license.check, "interval", hours=1, id="license-check")
        self.scheduler.add_job(
            self.license.check_if_changed, "interval", minutes=1, id="license-file-watch"
        )
        self.scheduler.add_job(
            self.idempotency.purge, "interval", hours=1, id="idempotency-purge", coalesce=True
        )
        self.scheduler.add_job(self.sessions.purge, "interval", hours=1, id="session-purge")
        self.scheduler.add_job(
            self.dispatcher.tick,
            "interval",
            seconds=DISPATCH_EVERY_S,
            id="webhook-dispatch",
            coalesce=True,
            max_instances=1,
        )
        self.scheduler.start()

    def _bind_index(self) -> None:
        assert self.index is not None
        self._health = HealthService(self.db, self.writer, self.index, self.license)
        self._observables = ObservableSearch(self.db, self.index, self.suppressions)
        self._dashboard = DashboardService(self.index)
        flush_s = self.config.index_flush_ms / 1000
        self.indexer = Indexer(self.db, self.index, self.writer, flush_s)

    def close(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=False)
        self.dispatcher.close()
        if self.indexer is not None:
            self.indexer.stop()
        self.writer.close()
        self.db.close()
        if self.index is not None:
            self.index.close()


T = TypeVar("T")


def _bound(service: T | None, name: str) -> T:
    if service is None:
        raise RuntimeError(f"services.{name} needs the observable index (with_index=True)")
    return service
