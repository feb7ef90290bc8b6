"""Cases and what hangs off them: observables, timeline, comments, attachments, notifications."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.create_table(
        "cases",
        {
            "seq": int,
            "id": str,
            "number": int,
            "title": str,
            "description": str,
            "severity": str,
            "status": str,
            "assignee": str,
            "tags": str,
            "attack": str,
            "created_at": int,
            "created_by": str,
            "updated_at": int,
            "resolution": str,
            "resolved_at": int,
        },
        pk="seq",
        not_null={
            "id",
            "number",
            "title",
            "severity",
            "status",
            "tags",
            "attack",
            "created_at",
            "updated_at",
        },
    )
    db.table("cases").create_index(["id"], unique=True)
    db.table("cases").create_index(["number"], unique=True)
    db.table("cases").create_index(["status", "seq"])
    db.table("cases").create_index(["assignee", "seq"])

    db.create_table(
        "case_observables",
        {"case_id": str, "type": str, "value": str, "first_seen": int, "added_by": str},
        pk=("case_id", "type", "value"),
        not_null={"first_seen"},
    )
    db.table("case_observables").create_index(["type", "value"])

    db.create_table(
        "case_timeline",
        {
            "seq": int,
            "case_id": str,
            "at": int,
            "type": str,
            "actor": str,
            "summary": str,
            "data": str,
        },
        pk="seq",
        not_null={"case_id", "at", "type", "summary", "data"},
    )
    db.table("case_timeline").create_index(["case_id", "at"])

    db.create_table(
        "comments",
        {
            "seq": int,
            "id": str,
            "case_id": str,
            "author": str,
            "body": str,
            "body_html": str,
            "mentions": str,
            "created_at": int,
        },
        pk="seq",
        not_null={"id", "case_id", "body", "body_html", "mentions", "created_at"},
    )
    db.table("comments").create_index(["case_id", "seq"])

    db.create_table(
        "attachments",
        {
            "id": str,
            "case_id": str,
            "filename": str,
            "size": int,
            "sha256": str,
            "content_type": str,
            "description": str,
            "uploaded_by": str,
            "uploaded_at": int,
        },
        pk="id",
        not_null={"case_id", "filename", "size", "sha256", "content_type", "uploaded_at"},
    )
    db.table("attachments").create_index(["case_id"])
    db.table("attachments").create_index(["sha256"])

    db.create_table(
        "notifications",
        {
            "seq": int,
            "id": str,
            "user_id": str,
            "kind": str,
            "case_id": str,
            "comment_id": str,
            "summary": str,
            "created_at": int,
            "read_at": int,
        },
        pk="seq",
        not_null={"id", "user_id", "kind", "summary", "created_at"},
    )
    db.table("notifications").create_index(["user_id", "seq"])
