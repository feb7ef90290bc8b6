"""E-mail notifications: what each user wants to hear about (`mail_subscriptions`; no row: the
defaults), and the mail outbox, one row per message, unique per (what happened, recipient) so
that no event is mailed twice to anyone."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "CREATE TABLE mail_subscriptions ("
        " user_id TEXT PRIMARY KEY REFERENCES users (id),"
        " mentioned INTEGER NOT NULL,"
        " assigned INTEGER NOT NULL,"
        " alert_added_to_my_case INTEGER NOT NULL,"
        " new_alert_min_severity TEXT,"
        " sla_breached INTEGER NOT NULL,"
        " updated_at INTEGER NOT NULL)"
    )
    db.execute(
        "CREATE TABLE mail_outbox ("
        " seq INTEGER PRIMARY KEY,"
        " id TEXT NOT NULL UNIQUE,"
        " about TEXT NOT NULL,"  # what happened: a notification, alert, delivery or test id
        " user_id TEXT NOT NULL REFERENCES users (id),"
        " to_address TEXT NOT NULL,"
        " subject TEXT NOT NULL,"
        " text_body TEXT NOT NULL,"
        " html_body TEXT NOT NULL,"
        " status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),"
        " attempts INTEGER NOT NULL DEFAULT 0,"
        " next_attempt_at INTEGER NOT NULL,"
        " last_error TEXT,"
        " created_at INTEGER NOT NULL,"
        " sent_at INTEGER,"
        " UNIQUE (about, user_id))"
    )
    db.execute("CREATE INDEX mail_outbox_due ON mail_outbox (status, next_attempt_at)")
