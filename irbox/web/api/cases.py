"""`/cases`: the case file, edits, observables, timeline, comments, evidence, resolve, report."""

from __future__ import annotations

from litestar import Controller, Response, delete, get, patch, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody
from litestar.response import File

from irbox.cases.models import (
    AddedObservable,
    Case,
    CaseCreate,
    CaseObservableIn,
    CasePage,
    CasePatch,
    Comment,
    CommentIn,
    Evidence,
    LinkIn,
    MergeIn,
    RemovedObservable,
    ResolveIn,
    Task,
    TaskIn,
    TaskList,
    TaskPatch,
    TimelineEvent,
    TimelineIn,
)
from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.web.deps import AnyRequest, CtxDep
from irbox.web.files import case_archive, evidence_file, report_response
from irbox.web.query import joined
from irbox.web.uploads import import_case, upload_evidence

READ = {"scope": "cases:read"}
WRITE = {"scope": "cases:write"}


def _split(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


class CasesController(Controller):
    path = "/cases"
    tags = ["cases"]

    @post("/", opt=WRITE, status_code=201)
    async def create_case(self, data: JSONBody[CaseCreate], ctx: CtxDep) -> Case:
        return await ctx.services.cases.create(data, ctx.actor)

    @get("/", opt=READ, sync_to_thread=True)
    def list_cases(
        self,
        ctx: CtxDep,
        request: AnyRequest,
        status: FromQuery[list[str] | None] = None,
        severity: FromQuery[list[str] | None] = None,
        assignee: FromQuery[str | None] = None,
        q: FromQuery[str | None] = None,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> CasePage:
        """`assignee=none` lists unassigned cases; `q` is text in the title; `cf.<key>=<value>`
        (any number) keeps the cases whose custom field `<key>` holds that value."""
        before = page_args(limit, cursor)
        who = "" if assignee == "none" else assignee
        statuses, severities = _split(joined(status)), _split(joined(severity))
        fields = {k[3:]: v for k, v in request.query_params.items() if k.startswith("cf.")}
        return ctx.services.cases.list(statuses, severities, who, before, limit, q, fields)

    @post("/import", opt=WRITE, status_code=201, request_max_body_size=None)
    async def import_case(self, request: AnyRequest, ctx: CtxDep) -> Case:
        """The body is a case archive from `GET /cases/{id}/export` (`application/zip`): a
        new case with a number of its own; 400 naming the file whose bytes do not match the
        manifest's SHA-256, and nothing written."""
        kind = request.headers.get("content-type")
        return await import_case(ctx.services.transfer, kind, request.stream(), ctx.actor)

    @get("/{case_id:str}", opt=READ, sync_to_thread=True)
    def get_case(self, case_id: FromPath[str], ctx: CtxDep) -> Case:
        return ctx.services.cases.get(case_id)

    @patch("/{case_id:str}", opt=WRITE)
    async def update_case(
        self, case_id: FromPath[str], data: JSONBody[CasePatch], ctx: CtxDep
    ) -> Case:
        return await ctx.services.cases.update(case_id, data, ctx.actor)

    @post(
        "/{case_id:str}/observables",
        opt=WRITE,
        status_code=201,
        responses={200: ResponseSpec(AddedObservable, description="the case already had it")},
    )
    async def add_observable(
        self, case_id: FromPath[str], data: JSONBody[CaseObservableIn], ctx: CtxDep
    ) -> Response[AddedObservable]:
        """201 when added, 200 when the case already had it."""
        added = await ctx.services.cases.add_observable(case_id, data, ctx.actor)
        return Response(added, status_code=201 if added.added else 200)

    @delete("/{case_id:str}/observables/{observable_id:str}", opt=WRITE, status_code=200)
    async def remove_observable(
        self, case_id: FromPath[str], observable_id: FromPath[str], ctx: CtxDep
    ) -> RemovedObservable:
        """Take an observable (`obs_…`) off an open case; the alerts that carried it keep it."""
        return await ctx.services.cases.remove_observable(case_id, observable_id, ctx.actor)

    @post("/{case_id:str}/timeline", opt=WRITE, status_code=201)
    async def add_timeline_entry(
        self, case_id: FromPath[str], data: JSONBody[TimelineIn], ctx: CtxDep
    ) -> TimelineEvent:
        return await ctx.services.cases.add_timeline_entry(case_id, data, ctx.actor)

    @post("/{case_id:str}/merge", opt=WRITE, status_code=200)
    async def merge_case(
        self, case_id: FromPath[str], data: JSONBody[MergeIn], ctx: CtxDep
    ) -> Case:
        """Move this case's alerts, observables, evidence, comments and tasks into `into` (an
        open case); this one becomes `merged`, pointing there. Answers the target case."""
        target = await ctx.services.merges.merge(case_id, data, ctx.actor)
        return ctx.services.cases.get(target)

    @post("/{case_id:str}/links", opt=WRITE, status_code=200)
    async def link_case(self, case_id: FromPath[str], data: JSONBody[LinkIn], ctx: CtxDep) -> Case:
        """Link another case: `kind` says what it is to this one (related, parent, child);
        the other case shows the inverse. Linking again changes the kind."""
        await ctx.services.links.link(case_id, data, ctx.actor)
        return ctx.services.cases.get(case_id)

    @delete("/{case_id:str}/links/{linked_id:str}", opt=WRITE, status_code=200)
    async def unlink_case(
        self, case_id: FromPath[str], linked_id: FromPath[str], ctx: CtxDep
    ) -> Case:
        """Remove the link, from both cases."""
        await ctx.services.links.unlink(case_id, linked_id, ctx.actor)
        return ctx.services.cases.get(case_id)

    @get("/{case_id:str}/tasks", opt=READ, sync_to_thread=True)
    def list_tasks(self, case_id: FromPath[str], ctx: CtxDep) -> TaskList:
        """The case's checklist, in the order the tasks were added."""
        return ctx.services.tasks.list(case_id)

    @post("/{case_id:str}/tasks", opt=WRITE, status_code=201)
    async def add_task(self, case_id: FromPath[str], data: JSONBody[TaskIn], ctx: CtxDep) -> Task:
        return await ctx.services.tasks.add(case_id, data, ctx.actor)

    @patch("/{case_id:str}/tasks/{task_id:str}", opt=WRITE)
    async def edit_task(
        self, case_id: FromPath[str], task_id: FromPath[str], data: JSONBody[TaskPatch],
        ctx: CtxDep,
    ) -> Task:  # fmt: skip
        """Any of its fields; `status` open, done or skipped."""
        return await ctx.services.tasks.update(case_id, task_id, data, ctx.actor)

    @delete("/{case_id:str}/tasks/{task_id:str}", opt=WRITE, status_code=200)
    async def delete_task(
        self, case_id: FromPath[str], task_id: FromPath[str], ctx: CtxDep
    ) -> Task:
        """The task taken off the checklist (the answer is the task as it was)."""
        return await ctx.services.tasks.delete(case_id, task_id, ctx.actor)

    @post("/{case_id:str}/comments", opt=WRITE, status_code=201)
    async def add_comment(
        self, case_id: FromPath[str], data: JSONBody[CommentIn], ctx: CtxDep
    ) -> Comment:
        return await ctx.services.comments.add(case_id, data, ctx.actor)

    @patch("/{case_id:str}/comments/{comment_id:str}", opt=WRITE)
    async def edit_comment(
        self,
        case_id: FromPath[str],
        comment_id: FromPath[str],
        data: JSONBody[CommentIn],
        ctx: CtxDep,
    ) -> Comment:
        """Its author's new text (and mentions); 403 for anyone else's comment."""
        return await ctx.services.comments.edit(case_id, comment_id, data, ctx.actor)

    @delete("/{case_id:str}/comments/{comment_id:str}", opt=WRITE, status_code=200)
    async def delete_comment(
        self, case_id: FromPath[str], comment_id: FromPath[str], ctx: CtxDep
    ) -> Comment:
        """Its author or an admin takes it off the case (the answer is the comment as it
        was): its text is erased, with the text its edits replaced; the timeline's
        `comment_deleted` records who deleted whose comment. 403 for another's comment."""
        return await ctx.services.comments.delete(case_id, comment_id, ctx.actor)

    @post("/{case_id:str}/attachments", opt=WRITE, status_code=201, request_max_body_size=None)
    async def upload_evidence(
        self, case_id: FromPath[str], request: AnyRequest, ctx: CtxDep
    ) -> Evidence:
        """Multipart upload: field `file` (required, one file) and `description` (optional)."""
        return await upload_evidence(
            ctx.services.evidence,
            case_id,
            request.headers.get("content-type"),
            request.stream(),
            ctx.actor,
        )

    @delete("/{case_id:str}/attachments/{attachment_id:str}", opt=WRITE, status_code=200)
    async def remove_evidence(
        self, case_id: FromPath[str], attachment_id: FromPath[str], ctx: CtxDep
    ) -> Evidence:
        """Take a file off an open case; its bytes go unless another attachment holds them."""
        return await ctx.services.evidence.remove(case_id, attachment_id, ctx.actor)

    @get("/{case_id:str}/attachments/{attachment_id:str}", opt=READ, sync_to_thread=True)
    def download_evidence(
        self, case_id: FromPath[str], attachment_id: FromPath[str], ctx: CtxDep
    ) -> File:
        return evidence_file(ctx.services.evidence, case_id, attachment_id)

    @post("/{case_id:str}/resolve", opt=WRITE, status_code=200)
    async def resolve(self, case_id: FromPath[str], data: JSONBody[ResolveIn], ctx: CtxDep) -> Case:
        return await ctx.services.resolution.resolve(case_id, data, ctx.actor)

    @post("/{case_id:str}/reopen", opt=WRITE, status_code=200)
    async def reopen(self, case_id: FromPath[str], ctx: CtxDep) -> Case:
        return await ctx.services.resolution.reopen(case_id, ctx.actor)

    @get(
        "/{case_id:str}/export",
        opt=READ,
        sync_to_thread=True,
        response_description="application/zip: manifest.json, case.json, people.json,"
        " report.html, report.md, evidence/<sha256>",
    )
    def export_case(self, case_id: FromPath[str], ctx: CtxDep) -> File:
        """The case as one archive to hand to another irbox (`POST /cases/import`)."""
        path = ctx.services.transfer.export(case_id)
        return case_archive(path, ctx.services.cases.summary(case_id).number)

    @get("/{case_id:str}/report", opt=READ, sync_to_thread=True)
    def report(
        self, case_id: FromPath[str], ctx: CtxDep, format: FromQuery[str] = "html"
    ) -> Response[str]:
        return report_response(ctx.services.resolution, case_id, format)
