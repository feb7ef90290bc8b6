"""Comments: markdown rendered and sanitised once, at write time; mentions notify users."""

from __future__ import annotations

import re
import sqlite3

import msgspec

from irbox import clock, ids, markdown_html
from irbox.cases import changes
from irbox.cases.models import Comment, CommentIn
from irbox.errors import Errors
from irbox.identity.principal import Actor
from irbox.store import comments as comments_table
from irbox.store import notifications
from irbox.store import users as users_table
from irbox.store.writer import Writer

MAX_BODY = 50_000
MAX_MENTIONS = 50
# "@jdoe@example.com" in a comment's text mentions that user (the UI's autocomplete writes it).
_AT_ADDRESS = re.compile(r"(?<![\w@])@([\w.%+-]+@[\w-]+(?:\.[\w-]+)*)", re.UNICODE)


def mentioned_addresses(body: str) -> list[str]:
    """The e-mail addresses written as @mentions in `body`, lower case, first mention first."""
    return list(dict.fromkeys(m.lower() for m in _AT_ADDRESS.findall(body)))


class CommentService:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def add(self, case_id: str, data: CommentIn, actor: Actor) -> Comment:
        errors = Errors()
        if not data.body.strip() or len(data.body) > MAX_BODY:
            errors.add("body", f"1 to {MAX_BODY} characters, not blank")
        if len(data.mentions) > MAX_MENTIONS:
            errors.add("mentions", f"at most {MAX_MENTIONS}")
        errors.raise_if_any("the comment is invalid")
        mentions = list(dict.fromkeys(data.mentions))
        html = markdown_html.render(data.body)
        now = clock.now_us()
        comment = Comment(
            id=ids.new_id("cmt"),
            author=actor.user_id,
            body=data.body,
            body_html=html,
            mentions=mentions,
            created_at=clock.to_rfc3339(now) or "",
        )

        def write(conn: sqlite3.Connection) -> Comment:
            case = changes.open_case(conn, case_id)
            known = users_table.active_ids(conn, mentions) if mentions else set()
            check = Errors()
            for i, user_id in enumerate(data.mentions):
                if user_id not in known:  # a disabled user would never read it
                    check.add(f"mentions[{i}]", "no such active user")
            check.raise_if_any("the comment mentions unknown users")
            comments_table.insert(
                conn,
                {
                    "id": comment.id,
                    "case_id": case_id,
                    "author": actor.user_id,
                    "body": data.body,
                    "body_html": html,
                    "mentions": msgspec.json.encode(mentions).decode(),
                    "created_at": now,
                },
            )
            changes.record(
                conn, case_id, "comment", actor, now, "comment added", {"comment_id": comment.id}
            )
            changes.announce(conn, case_id, "case.updated", actor, now)
            for user_id in mentions:
                notifications.insert(
                    conn,
                    {
                        "id": ids.new_id("ntf"),
                        "user_id": user_id,
                        "kind": "mention",
                        "case_id": case_id,
                        "comment_id": comment.id,
                        "summary": f"mentioned in case #{case['number']}: {case['title']}",
                        "created_at": now,
                    },
                )
            return comment

        return await self.writer.run(write)
