"""`/case-templates`: what new cases start with, and the rules that pick one on escalation."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from irbox.cases.models import CaseTemplate, CaseTemplateIn, CaseTemplateList, CaseTemplatePatch
from irbox.web.deps import CtxDep

READ = {"scope": "cases:read"}
ADMIN = {"scope": "admin"}


class CaseTemplatesController(Controller):
    path = "/case-templates"
    tags = ["case templates"]

    @get("/", opt=READ, sync_to_thread=True)
    def list_case_templates(self, ctx: CtxDep) -> CaseTemplateList:
        """Every template by name: the order their rules are tried in."""
        return ctx.services.templates.list()

    @post("/", opt=ADMIN, status_code=201)
    async def create_case_template(
        self, data: JSONBody[CaseTemplateIn], ctx: CtxDep
    ) -> CaseTemplate:
        return await ctx.services.templates.create(data, ctx.actor)

    @get("/{template_id:str}", opt=READ, sync_to_thread=True)
    def get_case_template(self, template_id: FromPath[str], ctx: CtxDep) -> CaseTemplate:
        return ctx.services.templates.get(template_id)

    @patch("/{template_id:str}", opt=ADMIN)
    async def edit_case_template(
        self, template_id: FromPath[str], data: JSONBody[CaseTemplatePatch], ctx: CtxDep
    ) -> CaseTemplate:
        """Any of its fields; a list given replaces the whole list."""
        return await ctx.services.templates.update(template_id, data, ctx.actor)

    @delete("/{template_id:str}", opt=ADMIN, status_code=200)
    async def delete_case_template(self, template_id: FromPath[str], ctx: CtxDep) -> CaseTemplate:
        """The template as it was; cases made with it keep what it gave them."""
        return await ctx.services.templates.delete(template_id, ctx.actor)
