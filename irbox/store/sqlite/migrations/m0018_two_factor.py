"""Two-factor sign-in (TOTP, RFC 6238). A user's secret is sealed at rest (irbox.sealed) while
being set up (`totp_pending`) and once confirmed (`totp_secret`); `totp_last_step` is the time
step of the last code accepted, so that a code is never accepted twice. Recovery codes are kept
as SHA-256 hashes, each used once. A session opened by a password whose user has a second
factor is `mfa_pending` until the code is given: it reaches nothing else."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute("ALTER TABLE users ADD COLUMN totp_secret TEXT")
    db.execute("ALTER TABLE users ADD COLUMN totp_pending TEXT")
    db.execute("ALTER TABLE users ADD COLUMN totp_last_step INTEGER NOT NULL DEFAULT 0")
    db.execute("ALTER TABLE users ADD COLUMN mfa_enabled_at INTEGER")
    db.execute(
        "CREATE TABLE recovery_codes ("
        " user_id TEXT NOT NULL REFERENCES users (id),"
        " code_hash TEXT NOT NULL,"
        " created_at INTEGER NOT NULL,"
        " used_at INTEGER,"
        " PRIMARY KEY (user_id, code_hash))"
    )
    db.execute("ALTER TABLE sessions ADD COLUMN mfa_pending INTEGER NOT NULL DEFAULT 0")
