"""A case's checklist: tasks added, edited, done, skipped or removed while the case is open,
each change on the case's timeline and sent as `case.updated`. A case cannot be resolved while
a required task is open (`ResolutionService` asks `open_required`)."""

from __future__ import annotations

from typing import Any

from msgspec import UNSET

from irbox import clock, ids
from irbox.cases import changes, validation
from irbox.cases.models import TASK_STATUSES, Task, TaskIn, TaskList, TaskPatch
from irbox.errors import Errors, NotFound
from irbox.identity.principal import Actor
from irbox.store import case_tasks
from irbox.store.database import Connection, Database, Row, RowLike, written
from irbox.store.writer import Writer

MAX_TITLE, MAX_DESCRIPTION = 512, 10_000


def to_task(row: RowLike) -> Task:
    return Task(
        id=row["id"],
        title=row["title"],
        description=row["description"],
        assignee=row["assignee"],
        due_at=clock.to_rfc3339(row["due_at"]) if row["due_at"] is not None else None,
        required=bool(row["required"]),
        status=row["status"],
        created_at=clock.to_rfc3339(row["created_at"]) or "",
        updated_at=clock.to_rfc3339(row["updated_at"]) or "",
    )


class TaskService:
    def __init__(self, db: Database, writer: Writer) -> None:
        self.db = db
        self.writer = writer

    def list(self, case_id: str) -> TaskList:
        def read(conn: Connection) -> TaskList:
            changes.existing(conn, case_id)
            return TaskList([to_task(r) for r in case_tasks.for_case(conn, case_id)])

        return self.db.read(read)

    async def add(self, case_id: str, data: TaskIn, actor: Actor) -> Task:
        errors = Errors()
        row: dict[str, Any] = {
            "id": ids.new_id("tsk"),
            "case_id": case_id,
            "title": check_title(errors, data.title),
            "description": check_description(errors, data.description),
            "assignee": data.assignee,
            "due_at": _due(errors, data.due_at),
            "required": int(data.required),
            "status": "open",
        }
        errors.raise_if_any("the task is invalid")
        now = clock.now_us()
        row.update(created_at=now, created_by=actor.user_id, updated_at=now)

        def write(conn: Connection) -> Row:
            changes.open_case(conn, case_id)
            _check_assignee(conn, data.assignee)
            case_tasks.insert(conn, row)
            kind = "required task" if data.required else "task"
            changes.record(conn, case_id, "task_added", actor, now, f"{kind} added: {row['title']}",
                           {"task_id": row["id"], "title": row["title"]})  # fmt: skip
            changes.announce(conn, case_id, "case.updated", actor, now)
            return written(case_tasks.get(conn, case_id, row["id"]))

        return to_task(await self.writer.run(write))

    async def update(self, case_id: str, task_id: str, patch: TaskPatch, actor: Actor) -> Task:
        errors = Errors()
        wanted: dict[str, Any] = {}
        if patch.title is not UNSET:
            wanted["title"] = check_title(errors, patch.title)
        if patch.description is not UNSET:
            wanted["description"] = check_description(errors, patch.description)
        if patch.due_at is not UNSET:
            wanted["due_at"] = _due(errors, patch.due_at)
        if patch.required is not UNSET:
            wanted["required"] = int(patch.required)
        if patch.assignee is not UNSET:
            wanted["assignee"] = patch.assignee
        if patch.status is not UNSET:
            if patch.status not in TASK_STATUSES:
                errors.add("status", f"one of {', '.join(TASK_STATUSES)}")
            wanted["status"] = patch.status
        errors.raise_if_any("the change is invalid")
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            changes.open_case(conn, case_id)
            row = _existing(conn, case_id, task_id)
            if "assignee" in wanted:
                _check_assignee(conn, wanted["assignee"])
            changed = {k: v for k, v in wanted.items() if row[k] != v}
            if changed:
                case_tasks.update(conn, task_id, {**changed, "updated_at": now})
                title = changed.get("title", row["title"])
                if "status" in changed:
                    summary = f"task {changed['status']}: {title}"
                else:
                    summary = f"task changed ({', '.join(sorted(changed))}): {title}"
                changes.record(conn, case_id, "task_changed", actor, now, summary,
                               {"task_id": task_id, "changed": sorted(changed)})  # fmt: skip
                changes.announce(conn, case_id, "case.updated", actor, now)
            return written(case_tasks.get(conn, case_id, task_id))

        return to_task(await self.writer.run(write))

    async def delete(self, case_id: str, task_id: str, actor: Actor) -> Task:
        now = clock.now_us()

        def write(conn: Connection) -> Row:
            changes.open_case(conn, case_id)
            row = _existing(conn, case_id, task_id)
            case_tasks.delete(conn, task_id)
            changes.record(conn, case_id, "task_removed", actor, now,
                           f"task removed: {row['title']}", {"task_id": task_id})  # fmt: skip
            changes.announce(conn, case_id, "case.updated", actor, now)
            return row

        return to_task(await self.writer.run(write))


def open_required(conn: Connection, case_id: str) -> list[dict[str, str]]:
    """The required tasks still open: what stops the case from being resolved."""
    return [{"id": r["id"], "title": r["title"]} for r in case_tasks.open_required(conn, case_id)]


def _existing(conn: Connection, case_id: str, task_id: str) -> Row:
    row = case_tasks.get(conn, case_id, task_id)
    if row is None:
        raise NotFound(f"no task {task_id} in case {case_id}")
    return row


def _check_assignee(conn: Connection, assignee: str | None) -> None:
    check = Errors()
    validation.check_assignee(conn, check, assignee)
    check.raise_if_any("the task is invalid")


def check_title(errors: Errors, title: str, path: str = "title") -> str:
    title = title.strip()
    if not 1 <= len(title) <= MAX_TITLE:
        errors.add(path, f"1 to {MAX_TITLE} characters")
    return title


def check_description(errors: Errors, description: str, path: str = "description") -> str:
    if len(description) > MAX_DESCRIPTION:
        errors.add(path, f"at most {MAX_DESCRIPTION} characters")
    return description.replace("\r\n", "\n")


def _due(errors: Errors, due_at: str | None) -> int | None:
    if due_at is None:
        return None
    try:
        return clock.parse_rfc3339(due_at)
    except ValueError as exc:
        errors.add("due_at", str(exc))
        return None
