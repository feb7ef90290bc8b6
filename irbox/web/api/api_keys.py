"""`/api-keys`: a caller manages its own keys; an admin sees and revokes everyone's."""

from __future__ import annotations

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from irbox.identity.api_keys import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList
from irbox.web.deps import CtxDep

ANY_TOKEN = {"scope": None}
# Only an admin key mints keys (a leaked key cannot copy itself); the token is never stored.
CREATE = {"scope": "admin", "withheld_on_replay": ("token",)}


class ApiKeysController(Controller):
    path = "/api-keys"
    tags = ["api-keys"]

    @post("/", opt=CREATE, status_code=201)
    async def create_key(self, data: JSONBody[ApiKeyCreate], ctx: CtxDep) -> ApiKeyCreated:
        """A new key for the caller, made by an `admin` key: its scopes cannot exceed the
        caller's own, it expires no later than the key that made it, and it is revoked with
        it. (Signed-in users make keys in Settings; the operator with `irbox apikey create`.)"""
        return await ctx.services.api_keys.create(
            ctx.principal.user_id, data, ctx.actor, allowed=ctx.principal.scopes,
            parent=ctx.principal.key_id,
        )  # fmt: skip

    @get("/", opt=ANY_TOKEN, sync_to_thread=True)
    def list_keys(self, ctx: CtxDep) -> ApiKeyList:
        owner = None if ctx.principal.can("admin") else ctx.principal.user_id
        return ApiKeyList(items=ctx.services.api_keys.list(owner))

    @delete("/{key_id:str}", opt=ANY_TOKEN, status_code=200)
    async def revoke_key(self, key_id: FromPath[str], ctx: CtxDep) -> ApiKey:
        return await ctx.services.api_keys.revoke(key_id, ctx.principal)
