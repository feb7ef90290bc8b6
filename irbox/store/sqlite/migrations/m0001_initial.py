"""Users, API keys, alerts, idempotency records and the audit log."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.create_table(
        "users",
        {
            "id": str,
            "email": str,
            "name": str,
            "role": str,
            "password_hash": str,
            "disabled": int,
            "created_at": int,
            "updated_at": int,
        },
        pk="id",
        not_null={"email", "name", "role", "disabled", "created_at", "updated_at"},
        defaults={"disabled": 0, "name": ""},
    )
    db.execute("CREATE UNIQUE INDEX users_email ON users (email COLLATE NOCASE)")

    db.create_table(
        "api_keys",
        {
            "id": str,
            "user_id": str,
            "name": str,
            "token_hash": str,
            "token_prefix": str,
            "scopes": str,
            "created_at": int,
            "expires_at": int,
            "revoked_at": int,
            "last_used_at": int,
        },
        pk="id",
        not_null={"user_id", "name", "token_hash", "token_prefix", "scopes", "created_at"},
        foreign_keys=[("user_id", "users", "id")],
    )
    db.table("api_keys").create_index(["token_hash"], unique=True)
    db.table("api_keys").create_index(["user_id"])

    # `seq` orders lists: assigned in commit order by the single writer, so keyset pagination
    # on it is stable under concurrent inserts.
    db.create_table(
        "alerts",
        {
            "seq": int,
            "id": str,
            "source": str,
            "external_id": str,
            "severity": str,
            "title": str,
            "description": str,
            "tags": str,
            "asset": str,
            "observables": str,
            "raw": str,
            "detected_at": int,
            "status": str,
            "occurrences": int,
            "first_seen_at": int,
            "last_seen_at": int,
            "case_id": str,
            "dismissal_reason": str,
            "dismissal_comment": str,
            "dismissed_by": str,
            "dismissed_at": int,
            "created_by": str,
        },
        pk="seq",
        not_null={
            "id",
            "source",
            "external_id",
            "severity",
            "title",
            "detected_at",
            "status",
            "occurrences",
            "first_seen_at",
            "last_seen_at",
            "tags",
            "observables",
        },
    )
    db.table("alerts").create_index(["id"], unique=True)
    db.table("alerts").create_index(["source", "external_id"], unique=True)
    db.table("alerts").create_index(["status", "seq"])
    db.table("alerts").create_index(["severity", "seq"])
    db.table("alerts").create_index(["detected_at"])
    db.table("alerts").create_index(["case_id"])

    db.create_table(
        "idempotency_keys",
        {
            "owner": str,
            "key": str,
            "request_hash": str,
            "status": int,
            "content_type": str,
            "body": bytes,
            "created_at": int,
        },
        pk=("owner", "key"),
        not_null={"request_hash", "status", "body", "created_at"},
    )
    db.table("idempotency_keys").create_index(["created_at"])

    db.create_table(
        "audit_log",
        {
            "seq": int,
            "at": int,
            "actor": str,
            "key_id": str,
            "ip": str,
            "action": str,
            "entity_id": str,
            "data": str,
        },
        pk="seq",
        not_null={"at", "action"},
    )
