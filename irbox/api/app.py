"""Assembles the ASGI application: Litestar routes and handlers inside our two middlewares."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from irbox import __version__
from irbox.api import (
    alerts,
    api_keys,
    attack,
    cases,
    health,
    license,
    observables,
    users,
    webhooks,
)
from irbox.api.asgi import ASGIApp
from irbox.api.deps import DEPENDENCIES
from irbox.api.errors import HANDLERS
from irbox.api.guard import api_guard
from irbox.api.idempotency import IdempotencyMiddleware
from irbox.api.ratelimit import RateLimiter
from irbox.api.request_log import RequestLogMiddleware
from irbox.config import Config
from irbox.services import Services

JSON_BODY_LIMIT = 8 * 1024 * 1024  # an alert: 1 MiB of raw + 1,000 observables + text


def create_litestar(config: Config) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        services = Services(config)
        services.start_background()
        app.state.services = services
        app.state.rate_limiter = RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst)
        try:
            yield
        finally:
            services.close()

    api = Router(
        "/api/v1",
        route_handlers=[
            alerts.AlertsController,
            users.UsersController,
            users.me,
            users.audit_log,
            users.my_notifications,
            users.mark_notifications_read,
            api_keys.ApiKeysController,
            cases.CasesController,
            attack.search_techniques,
            observables.ObservablesController,
            observables.dashboard_stats,
            webhooks.WebhooksController,
            license.license_status,
            license.install_license,
        ],
        guards=[api_guard],
        security=[{"bearer": []}],
    )
    return Litestar(
        route_handlers=[api, health.healthz, health.openapi_json],
        dependencies=DEPENDENCIES,
        exception_handlers=HANDLERS,
        lifespan=[lifespan],
        request_max_body_size=JSON_BODY_LIMIT,
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="irbox API",
            version=__version__,
            # Litestar's own schema router (with a catch-all that answers HTML 404s) is kept out
            # of the way; the document is served by `health.openapi_json` at /api/v1/openapi.json.
            path="/api/v1/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
    )


def create_app(config: Config) -> ASGIApp:
    app = create_litestar(config)
    idempotent = IdempotencyMiddleware(
        app,
        store=lambda: app.state.services.idempotency,
        max_body=lambda: config.max_upload_bytes + JSON_BODY_LIMIT,
    )
    return RequestLogMiddleware(idempotent)
