"""The mail sender: a thread that sends what the mail outbox holds through the SMTP relay
(STARTTLS and AUTH when configured), retrying with backoff like webhooks (the same base and
24 h window), then marking it failed. It sends at least once: a crash between the relay's
"250 OK" and the write that records it sends that message again after the restart, with the
same Message-ID, which mail clients use to fold duplicates; the database being away then
only delays the record."""

from __future__ import annotations

import logging
import random
import smtplib
import ssl
import threading
from collections.abc import Callable, Sequence
from email.message import EmailMessage
from email.utils import formatdate
from pathlib import Path

from irbox import clock
from irbox.config import Config
from irbox.notifications import mail
from irbox.store import mail_outbox
from irbox.store.database import Connection, Database, RowLike
from irbox.store.writer import Writer

log = logging.getLogger("irbox.mail")

TICK_S = 2.0  # how often the outbox is filled and due messages sent
SEND_TIMEOUT_S = 20.0
PER_TICK = 50


class MailSender:
    def __init__(
        self,
        db: Database,
        writer: Writer,
        config: Config,
        node: str,
        on_attempt: Callable[[str], object] = lambda outcome: None,
    ) -> None:
        self.node = node  # claims the messages it sends (other nodes send from the same outbox)
        self.db = db
        self.writer = writer
        self.config = config
        self.base_s = config.webhook_retry_base_s
        self.max_age_us = int(config.webhook_retry_max_age_h * 3600 * 1_000_000)
        self._on_attempt = on_attempt  # told each attempt's outcome (metrics)
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="irbox-mail", daemon=True)

    @property
    def enabled(self) -> bool:
        return bool(self.config.smtp_host)

    def start(self) -> None:
        if self.enabled:
            now = clock.now_us()
            if released := self.writer.run_sync(
                lambda conn: mail_outbox.release(conn, self.node, now)
            ):
                log.info("%d messages held at an earlier stop are due again", released)
            self._thread.start()

    def wake(self) -> None:
        self._wake.set()

    def close(self) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread.is_alive():
            self._thread.join(SEND_TIMEOUT_S + 5)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.writer.run_sync(mail.collect)
                self._send_due()
            except Exception:  # the thread outlives any one failure; the next tick tries again
                log.exception("mail: a round of sending failed")
            self._wake.wait(TICK_S)
            self._wake.clear()

    def _send_due(self) -> None:
        now = clock.now_us()
        due = self.db.read(mail_outbox.due, now, PER_TICK)
        if not due:
            return
        # Claimed for as long as sending them all could take, so that no other node sends
        # them too; what is not sent in the end is given back.
        until = now + int((len(due) * SEND_TIMEOUT_S + 30) * 1_000_000)
        ids = [str(row["id"]) for row in due]
        claimed = self.writer.run_sync(
            lambda conn: mail_outbox.claim(conn, ids, now, until, self.node)
        )
        rows = [row for row in due if row["id"] in claimed]
        unsent = {str(row["id"]) for row in rows}
        try:
            self._send(rows, unsent)
        finally:
            if unsent:
                left = list(unsent)
                self.writer.run_sync(
                    lambda conn: mail_outbox.release(conn, self.node, clock.now_us(), left)
                )

    def _send(self, rows: Sequence[RowLike], unsent: set[str]) -> None:
        """Send each; an attempt recorded (sent or failed) leaves `unsent`."""
        if not rows:
            return
        try:
            relay = self._connect()
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                self._failed_attempt(row, f"relay: {type(exc).__name__}: {exc}")
                unsent.discard(str(row["id"]))
            return
        with relay:
            for row in rows:
                try:
                    relay.send_message(self._message(row))
                except (OSError, smtplib.SMTPException) as exc:
                    self._failed_attempt(row, f"{type(exc).__name__}: {exc}")
                    unsent.discard(str(row["id"]))
                    if isinstance(exc, smtplib.SMTPServerDisconnected | OSError):
                        break  # the connection is gone; the rest wait for the next tick
                    continue
                now = clock.now_us()
                changes = {
                    "status": "sent",
                    "sent_at": now,
                    "attempts": row["attempts"] + 1,
                    "last_error": None,
                }
                self._record(str(row["id"]), changes)
                unsent.discard(str(row["id"]))
                self._on_attempt("sent")

    def _connect(self) -> smtplib.SMTP:
        cfg = self.config
        relay = smtplib.SMTP(cfg.smtp_host, cfg.smtp_port, timeout=SEND_TIMEOUT_S)
        try:
            if cfg.smtp_starttls:
                context = ssl.create_default_context(cafile=cfg.smtp_ca_file or None)
                relay.starttls(context=context)
            if cfg.smtp_username:
                password = Path(cfg.smtp_password_file).read_text().strip()
                relay.login(cfg.smtp_username, password)
        except BaseException:
            relay.close()
            raise
        return relay

    def _message(self, row: RowLike) -> EmailMessage:
        message = EmailMessage()
        message["From"] = self.config.smtp_from
        message["To"] = str(row["to_address"])
        message["Subject"] = str(row["subject"])
        message["Date"] = formatdate(localtime=False)
        message["Message-ID"] = f"<{row['id']}@irbox>"
        message["Auto-Submitted"] = "auto-generated"  # no vacation replies back, please
        message.set_content(str(row["text_body"]))
        message.add_alternative(str(row["html_body"]), subtype="html")
        return message

    def _failed_attempt(self, row: RowLike, error: str) -> None:
        now = clock.now_us()
        attempts = int(row["attempts"]) + 1
        delay_s = self.base_s * 2 ** (attempts - 1) * random.uniform(0.8, 1.2)
        next_at = now + int(delay_s * 1_000_000)
        changes: dict[str, object] = {"attempts": attempts, "last_error": error[:500]}
        if next_at >= int(row["created_at"]) + self.max_age_us:
            changes["status"] = "failed"
            log.warning("mail %s to %s failed for good: %s", row["id"], row["to_address"], error)
            outcome = "failed"
        else:
            changes["next_attempt_at"] = next_at
            outcome = "retrying"
        self._record(str(row["id"]), changes)
        self._on_attempt(outcome)

    def _record(self, mail_id: str, changes: dict[str, object]) -> None:
        def write(conn: Connection) -> None:
            mail_outbox.record(conn, mail_id, changes)

        # Kept through an outage: a dropped record would have the message sent again.
        self.writer.run_sync_when_back(write, "a mail's outcome", self._stop.is_set)
