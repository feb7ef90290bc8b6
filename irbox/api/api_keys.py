"""`/api-keys`: a caller manages its own keys; an admin sees and revokes everyone's."""

from __future__ import annotations

from litestar import Controller, delete, get, post

from irbox.identity.api_keys import ApiKey, ApiKeyCreate, ApiKeyCreated, ApiKeyList
from irbox.identity.principal import Principal
from irbox.services import Services

ANY_TOKEN = {"scope": None}


class ApiKeysController(Controller):
    path = "/api-keys"
    tags = ["api-keys"]

    @post("/", opt=ANY_TOKEN, status_code=201)
    async def create_key(
        self, data: ApiKeyCreate, services: Services, principal: Principal
    ) -> ApiKeyCreated:
        """A new key for the caller; its scopes cannot exceed the caller's own."""
        return await services.api_keys.create(
            principal.user_id, data, principal.actor, allowed=principal.scopes
        )

    @get("/", opt=ANY_TOKEN)
    async def list_keys(self, services: Services, principal: Principal) -> ApiKeyList:
        owner = None if principal.can("admin") else principal.user_id
        return ApiKeyList(items=services.api_keys.list(owner))

    @delete("/{key_id:str}", opt=ANY_TOKEN, status_code=200)
    async def revoke_key(self, key_id: str, services: Services, principal: Principal) -> ApiKey:
        return await services.api_keys.revoke(key_id, principal)
