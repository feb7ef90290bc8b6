"""`/api-keys`: a caller manages its own keys; an admin sees and revokes everyone's."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from irbox.api.deps import CtxDep
from irbox.identity.api_keys import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList

ANY_TOKEN = {"scope": None}


class ApiKeysController(Controller):
    path = "/api-keys"
    tags = ["api-keys"]

    @post("/", opt=ANY_TOKEN, status_code=201)
    async def create_key(self, data: JSONBody[ApiKeyCreate], ctx: CtxDep) -> ApiKeyCreated:
        """A new key for the caller; its scopes cannot exceed the caller's own."""
        return await ctx.services.api_keys.create(
            ctx.principal.user_id, data, ctx.actor, allowed=ctx.principal.scopes
        )

    @get("/", opt=ANY_TOKEN)
    async def list_keys(self, ctx: CtxDep) -> ApiKeyList:
        owner = None if ctx.principal.can("admin") else ctx.principal.user_id
        return ApiKeyList(items=ctx.services.api_keys.list(owner))

    @delete("/{key_id:str}", opt=ANY_TOKEN, status_code=200)
    async def revoke_key(self, key_id: FromPath[str], ctx: CtxDep) -> ApiKey:
        return await ctx.services.api_keys.revoke(key_id, ctx.principal)
