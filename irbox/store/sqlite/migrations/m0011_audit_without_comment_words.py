"""The audit log records that a comment was edited, not the words the edit replaced: those stay
in the case's timeline, where deleting the comment erases them (a password pasted by mistake
must be removable). Entries written before keep their ids, actors and times."""

from sqlite_utils import Database


def migrate(db: Database) -> None:
    db.execute(
        "UPDATE audit_log SET data = json_remove(data, '$.previous_body')"
        " WHERE action = 'case.comment_edited'"
    )
