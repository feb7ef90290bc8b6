"""`/webhooks` (admin): endpoints, their deliveries, redeliver and ping."""

from __future__ import annotations

from litestar import Controller, delete, get, patch, post
from litestar.params import FromPath, FromQuery, JSONBody

from irbox.paging import DEFAULT_LIMIT, page_args
from irbox.web.deps import CtxDep
from irbox.webhooks.models import (
    Delivery,
    DeliveryPage,
    Webhook,
    WebhookCreate,
    WebhookCreated,
    WebhookList,
    WebhookPatch,
    WebhookUpdated,
)

ADMIN = {"scope": "admin"}


class WebhooksController(Controller):
    path = "/webhooks"
    tags = ["webhooks"]

    @post("/", opt={**ADMIN, "withheld_on_replay": ("secret",)}, status_code=201)
    async def create_webhook(self, data: JSONBody[WebhookCreate], ctx: CtxDep) -> WebhookCreated:
        """The secret (generated when absent) is shown in this answer only."""
        return await ctx.services.webhooks.create(data, ctx.actor)

    @get("/", opt=ADMIN, sync_to_thread=True)
    def list_webhooks(self, ctx: CtxDep) -> WebhookList:
        return WebhookList(items=ctx.services.webhooks.list())

    @get("/{webhook_id:str}", opt=ADMIN, sync_to_thread=True)
    def get_webhook(self, webhook_id: FromPath[str], ctx: CtxDep) -> Webhook:
        return ctx.services.webhooks.get(webhook_id)

    @patch("/{webhook_id:str}", opt=ADMIN)
    async def update_webhook(
        self, webhook_id: FromPath[str], data: JSONBody[WebhookPatch], ctx: CtxDep
    ) -> WebhookUpdated:
        """`rotate_secret: true` makes a new secret, shown in this answer only."""
        return await ctx.services.webhooks.update(webhook_id, data, ctx.actor)

    @delete("/{webhook_id:str}", opt=ADMIN, status_code=200)
    async def delete_webhook(self, webhook_id: FromPath[str], ctx: CtxDep) -> Webhook:
        return await ctx.services.webhooks.delete(webhook_id, ctx.actor)

    @get("/{webhook_id:str}/deliveries", opt=ADMIN, sync_to_thread=True)
    def list_deliveries(
        self,
        webhook_id: FromPath[str],
        ctx: CtxDep,
        limit: FromQuery[int] = DEFAULT_LIMIT,
        cursor: FromQuery[str | None] = None,
    ) -> DeliveryPage:
        return ctx.services.webhooks.deliveries(webhook_id, page_args(limit, cursor), limit)

    @post("/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver", opt=ADMIN, status_code=200)
    async def redeliver(
        self, webhook_id: FromPath[str], delivery_id: FromPath[str], ctx: CtxDep
    ) -> Delivery:
        return await ctx.services.webhooks.redeliver(webhook_id, delivery_id, ctx.actor)

    @post("/{webhook_id:str}/ping", opt=ADMIN, status_code=201)
    async def ping(self, webhook_id: FromPath[str], ctx: CtxDep) -> Delivery:
        """Queues a `ping` delivery and sends it at once."""
        return await ctx.services.webhooks.ping(webhook_id, ctx.actor)
