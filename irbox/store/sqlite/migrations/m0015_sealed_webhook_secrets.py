"""Webhook secrets were stored in plain text; they are sealed under the data dir's key
(`irbox.sealed`), so no secret lies in the database in plain text."""

from pathlib import Path

from sqlite_utils import Database

from irbox.sealed import KEY_FILE, PREFIX, SecretBox


def migrate(db: Database) -> None:
    rows = db.execute(
        "SELECT id, secret FROM webhooks WHERE secret NOT LIKE ?", (PREFIX + "%",)
    ).fetchall()
    if not rows:
        return
    path = next(row[2] for row in db.execute("PRAGMA database_list") if row[1] == "main")
    box = SecretBox(Path(path).parent / KEY_FILE)
    for webhook_id, secret in rows:
        db.execute("UPDATE webhooks SET secret = ? WHERE id = ?", (box.seal(secret), webhook_id))
