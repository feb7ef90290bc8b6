"""What is mailed, and to whom: the mail outbox is filled by following what happened, in the
order it was stored, each follow and its messages in one transaction with its cursor:

- the notifications (mentions, cases assigned, alerts added to one's case) of users who want
  that kind mailed;
- new alerts in triage at or above a user's `new_alert_min_severity`;
- a webhook delivery that failed for good, to every active admin (queued by the dispatcher in
  the transaction that marks it failed);
- a test mail, from Settings.

A message is unique per (what it is about, recipient): nothing is mailed twice about one event.
The sender (`mail_sender.py`) sends and retries; this module only decides and writes."""

from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

from irbox import clock, ids
from irbox.alerts.models import SEVERITIES
from irbox.notifications.subscriptions import of_row
from irbox.store import alerts as alerts_table
from irbox.store import mail_outbox, settings, users
from irbox.store import mail_subscriptions as subscriptions_table
from irbox.store import notifications as notifications_table
from irbox.store.database import Connection
from irbox.store.writer import Writer
from irbox.webhooks.outbox import PUBLIC_URL_SETTING

NOTIFICATIONS_CURSOR, ALERTS_CURSOR = "mail.notifications_seq", "mail.alerts_seq"
BATCH = 500
# A notification's kind -> the subscription that asks for its mail.
WANTED_BY = {
    "mention": "mentioned",
    "assigned": "assigned",
    "alert_added": "alert_added_to_my_case",
    "sla_breached": "sla_breached",
}
SUBJECTS = {
    "mention": "You were mentioned",
    "assigned": "A case was assigned to you",
    "alert_added": "An alert joined your case",
    "sla_breached": "SLA breached",
}


class MailOutbox:
    """What a user may ask of the mail from Settings: a test message, sent at once."""

    def __init__(self, writer: Writer, wake: Callable[[], None]) -> None:
        self.writer = writer
        self.wake = wake  # the sender looks for due messages now

    async def test(self, user_id: str) -> str:
        about = await self.writer.run(lambda conn: test_mail(conn, user_id, clock.now_us()))
        self.wake()
        return about


def collect(conn: Connection) -> int:
    """Queue the mail for what happened since the cursors; how many messages were queued. On
    the first run the cursors start at now: mail is about what happens from then on."""
    now = clock.now_us()
    queued = 0
    seq = _cursor(conn, NOTIFICATIONS_CURSOR, notifications_table.last_seq)
    for note in notifications_table.after(conn, seq, BATCH):
        seq = note["seq"]
        wanted = of_row(subscriptions_table.get(conn, note["user_id"]))
        if note["disabled"] or not getattr(wanted, WANTED_BY.get(note["kind"], ""), False):
            continue
        link = _link(conn, f"/cases/{note['case_id']}" if note["case_id"] else "/notifications")
        subject = f"{SUBJECTS.get(note['kind'], 'irbox')}: {_after_colon(note['summary'])}"
        text = note["summary"][:1].upper() + note["summary"][1:] + "."
        queued += queue(conn, note["id"], note["user_id"], note["email"], subject, text, link, now)
    _move(conn, NOTIFICATIONS_CURSOR, seq)

    seq = _cursor(conn, ALERTS_CURSOR, alerts_table.last_seq)
    listeners = subscriptions_table.wanting_new_alerts(conn)
    if listeners:
        lowest = min(SEVERITIES.index(row["new_alert_min_severity"]) for row in listeners)
        for alert in alerts_table.new_since(conn, seq, SEVERITIES[lowest:], BATCH):
            seq = alert["seq"]
            rank = SEVERITIES.index(alert["severity"])
            for user in listeners:
                if rank < SEVERITIES.index(user["new_alert_min_severity"]):
                    continue
                subject = f"New {alert['severity']} alert: {alert['title']}"
                text = f"A {alert['severity']} alert from {alert['source']}: {alert['title']}."
                queued += queue(
                    conn,
                    alert["id"],
                    user["id"],
                    user["email"],
                    subject,
                    text,
                    _link(conn, f"/alerts/{alert['id']}"),
                    now,
                )
    else:
        seq = alerts_table.last_seq(conn)  # nobody listens: nothing to catch up later
    _move(conn, ALERTS_CURSOR, seq)
    return queued


def delivery_failed(conn: Connection, delivery: dict[str, Any], at: int) -> None:
    """Inside the write that marks a webhook delivery failed for good: tell every admin."""
    subject = f"Webhook delivery failed for good: {delivery['event']} to {delivery['url']}"
    why = delivery.get("last_error") or "no answer"
    text = (
        f"irbox gave up delivering {delivery['event']} ({delivery['id']}) to {delivery['url']}"
        f" after {delivery['attempts']} attempt(s): {why}. Redeliver it from Settings."
    )
    for admin in users.active_admins(conn):
        queue(
            conn,
            delivery["id"],
            admin["id"],
            admin["email"],
            subject,
            text,
            _link(conn, "/settings#webhooks"),
            at,
        )


def test_mail(conn: Connection, user_id: str, at: int) -> str:
    """A test message to the user, from Settings; its id."""
    user = users.get(conn, user_id)
    assert user is not None
    about = ids.new_id("mailtest")
    text = "This is a test mail from irbox: mail notifications reach you."
    queue(
        conn, about, user_id, user["email"], "irbox test mail", text, _link(conn, "/settings"), at
    )
    return about


def queue(
    conn: Connection,
    about: str,
    user_id: str,
    to: str,
    subject: str,
    text: str,
    link: str,
    at: int,
) -> int:
    """One message, plain text and HTML, unless one about `about` went to this user; 1 if
    queued, else 0."""
    plain = f"{text}\n\n{link}\n\n-- \nirbox. Choose what you hear about in Settings."
    body = (
        f'<p>{html.escape(text)}</p><p><a href="{html.escape(link)}">{html.escape(link)}</a>'
        '</p><p style="color:#5d6778;font-size:12px">irbox. Choose what you hear about in'
        " Settings.</p>"
    )
    row = {
        "id": ids.new_id("mail"),
        "about": about,
        "user_id": user_id,
        "to_address": to,
        "subject": subject[:200],
        "text_body": plain,
        "html_body": body,
        "next_attempt_at": at,
        "created_at": at,
    }
    return int(mail_outbox.insert(conn, row))


def _cursor(conn: Connection, name: str, start: Any) -> int:
    stored = settings.get(conn, name)
    return int(stored) if stored is not None else int(start(conn))


def _move(conn: Connection, name: str, seq: int) -> None:
    """Store a cursor that moved (most ticks nothing happened: no write then)."""
    if settings.get(conn, name) != str(seq):
        settings.put(conn, name, str(seq))


def _link(conn: Connection, path: str) -> str:
    return (settings.get(conn, PUBLIC_URL_SETTING) or "").rstrip("/") + path


def _after_colon(summary: str) -> str:
    """`mentioned in case #12: Phishing` -> `case #12: Phishing`."""
    words = summary.split(" case ", 1)
    return "case " + words[1] if len(words) == 2 else summary
