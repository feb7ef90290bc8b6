"""`/custom-fields`: the fields admins define for cases; read with `cases:read`."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, JSONBody

from irbox.cases.models import CustomField, CustomFieldIn, CustomFieldList, CustomFieldPatch
from irbox.web.deps import CtxDep

READ = {"scope": "cases:read"}
ADMIN = {"scope": "admin"}


class CustomFieldsController(Controller):
    path = "/custom-fields"
    tags = ["custom fields"]

    @get("/", opt=READ, sync_to_thread=True)
    def list_custom_fields(self, ctx: CtxDep) -> CustomFieldList:
        """Every field, in the order defined: what `custom_fields` on a case may hold."""
        return ctx.services.custom_fields.list()

    @post("/", opt=ADMIN, status_code=201)
    async def create_custom_field(self, data: JSONBody[CustomFieldIn], ctx: CtxDep) -> CustomField:
        return await ctx.services.custom_fields.create(data, ctx.actor)

    @get("/{key:str}", opt=READ, sync_to_thread=True)
    def get_custom_field(self, key: FromPath[str], ctx: CtxDep) -> CustomField:
        return ctx.services.custom_fields.get(key)

    @patch("/{key:str}", opt=ADMIN)
    async def edit_custom_field(
        self, key: FromPath[str], data: JSONBody[CustomFieldPatch], ctx: CtxDep
    ) -> CustomField:
        """Its label, choices or whether it is required; its key and type stay."""
        return await ctx.services.custom_fields.update(key, data, ctx.actor)

    @delete("/{key:str}", opt=ADMIN, status_code=200)
    async def delete_custom_field(self, key: FromPath[str], ctx: CtxDep) -> CustomField:
        """409 while a case or template holds a value for it."""
        return await ctx.services.custom_fields.delete(key, ctx.actor)
