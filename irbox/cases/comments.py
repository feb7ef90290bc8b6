"""Comments: markdown rendered and sanitised once, at write time; mentions notify users."""

from __future__ import annotations

import re

import msgspec

from irbox import clock, ids, markdown_html
from irbox.cases import changes
from irbox.cases.models import Comment, CommentIn
from irbox.errors import Errors, NotFound, NotTheAuthor
from irbox.identity.principal import Actor
from irbox.store import comments as comments_table
from irbox.store import notifications, timeline
from irbox.store import users as users_table
from irbox.store.database import Connection, Row, written
from irbox.store.writer import Writer

_decode_mentions = msgspec.json.Decoder(list[str]).decode

MAX_BODY = 50_000
MAX_MENTIONS = 50
# "@jdoe@example.com" in a comment's text mentions that active user, through the API as in the UI
# (whose autocomplete writes it), besides the ids a client lists in `mentions`.
_AT_ADDRESS = re.compile(r"(?<![\w@])@([\w.%+-]+@[\w-]+(?:\.[\w-]+)*)", re.UNICODE)


def mentioned_addresses(body: str) -> list[str]:
    """The e-mail addresses written as @mentions in `body`, lower case, first mention first."""
    return list(dict.fromkeys(m.lower() for m in _AT_ADDRESS.findall(body)))


class CommentService:
    def __init__(self, writer: Writer) -> None:
        self.writer = writer

    async def add(self, case_id: str, data: CommentIn, actor: Actor) -> Comment:
        html = _checked(data)
        now = clock.now_us()
        comment_id = ids.new_id("cmt")

        def write(conn: Connection) -> Comment:
            case = changes.open_case(conn, case_id)
            mentions = _mentions(conn, data)
            comment = Comment(
                id=comment_id,
                author=actor.user_id,
                body=data.body,
                body_html=html,
                mentions=mentions,
                created_at=clock.to_rfc3339(now) or "",
            )
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
            _notify(conn, case, comment.id, mentions, now)
            return comment

        return await self.writer.run(write)

    async def edit(self, case_id: str, comment_id: str, data: CommentIn, actor: Actor) -> Comment:
        """The author's new text (a typo, a wrong host name): the timeline keeps the text it
        replaced; users mentioned for the first time are notified."""
        html = _checked(data)
        now = clock.now_us()

        def write(conn: Connection) -> Comment:
            case = changes.open_case(conn, case_id)
            row = _own_comment(conn, case_id, comment_id, actor, "edit")
            mentions = _mentions(conn, data)
            encoded = msgspec.json.encode(mentions).decode()
            comments_table.update(
                conn,
                comment_id,
                {"body": data.body, "body_html": html, "mentions": encoded, "edited_at": now},
            )
            history = {"comment_id": comment_id, "previous_body": row["body"]}
            changes.record(
                conn, case_id, "comment_edited", actor, now, "comment edited", history,
                audit_data={"comment_id": comment_id},
            )  # fmt: skip
            changes.announce(conn, case_id, "case.updated", actor, now)
            before = set(_decode_mentions(row["mentions"]))
            _notify(conn, case, comment_id, [m for m in mentions if m not in before], now)
            return comment_from_row(written(comments_table.get(conn, case_id, comment_id)))

        return await self.writer.run(write)

    async def delete(self, case_id: str, comment_id: str, actor: Actor) -> Comment:
        """Its author, or an admin, takes a comment off the case (the wrong case; a password
        pasted by mistake): its words go, with those its edits replaced; the timeline keeps
        that it was deleted, by whom."""
        now = clock.now_us()

        def write(conn: Connection) -> Comment:
            changes.open_case(conn, case_id)
            row = _comment(conn, case_id, comment_id)
            if row["author"] != actor.user_id and not _is_admin(conn, actor):
                raise NotTheAuthor("comment", "delete", "its author or an admin")
            comments_table.delete(conn, comment_id)
            timeline.erase_comment_text(conn, case_id, comment_id)
            record = {"comment_id": comment_id, "author": row["author"]}
            changes.record(conn, case_id, "comment_deleted", actor, now, "comment deleted", record)
            changes.announce(conn, case_id, "case.updated", actor, now)
            return comment_from_row(row)

        return await self.writer.run(write)


def comment_from_row(row: Row) -> Comment:
    edited_at = row["edited_at"]
    return Comment(
        id=row["id"],
        author=row["author"],
        body=row["body"],
        body_html=row["body_html"],
        mentions=_decode_mentions(row["mentions"]),
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        edited_at=clock.to_rfc3339(edited_at) if edited_at is not None else None,
    )


def _comment(conn: Connection, case_id: str, comment_id: str) -> Row:
    row = comments_table.get(conn, case_id, comment_id)
    if row is None:
        raise NotFound(f"no comment {comment_id} in case {case_id}")
    return row


def _own_comment(conn: Connection, case_id: str, comment_id: str, actor: Actor, change: str) -> Row:
    """The comment, if it is the actor's own: 404 when the case has no such comment, 403 when
    someone else wrote it (admins included: a comment is someone's word)."""
    row = _comment(conn, case_id, comment_id)
    if row["author"] is None or row["author"] != actor.user_id:
        raise NotTheAuthor("comment", change)
    return row


def _is_admin(conn: Connection, actor: Actor) -> bool:
    user = users_table.get(conn, actor.user_id) if actor.user_id else None
    return user is not None and user["role"] == "admin"


def _checked(data: CommentIn) -> str:
    """The comment's sanitised HTML, once its size is checked."""
    errors = Errors()
    if not data.body.strip() or len(data.body) > MAX_BODY:
        errors.add("body", f"1 to {MAX_BODY} characters, not blank")
    if len(data.mentions) > MAX_MENTIONS:
        errors.add("mentions", f"at most {MAX_MENTIONS}")
    errors.raise_if_any("the comment is invalid")
    return markdown_html.render(data.body)


def _mentions(conn: Connection, data: CommentIn) -> list[str]:
    """Who the comment mentions, each once: the ids it lists (each must be an active user)
    and the active users whose addresses its text names as `@address`."""
    listed = data.mentions
    known = users_table.active_ids(conn, list(dict.fromkeys(listed))) if listed else set()
    check = Errors()
    for i, user_id in enumerate(listed):
        if user_id not in known:  # a disabled user would never read it
            check.add(f"mentions[{i}]", "no such active user")
    check.raise_if_any("the comment mentions unknown users")
    addresses = mentioned_addresses(data.body)[:MAX_MENTIONS]
    named = users_table.active_ids_by_email(conn, addresses)
    written = [named[a] for a in addresses if a in named]
    return list(dict.fromkeys([*listed, *written]))


def _notify(conn: Connection, case: Row, comment_id: str, users: list[str], now: int) -> None:
    for user_id in users:
        notifications.insert(
            conn,
            {
                "id": ids.new_id("ntf"),
                "user_id": user_id,
                "kind": "mention",
                "case_id": case["id"],
                "comment_id": comment_id,
                "summary": f"mentioned in case #{case['number']}: {case['title']}",
                "created_at": now,
            },
        )
