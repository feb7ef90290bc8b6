"""Assembles the ASGI application: Litestar routes and handlers inside our middlewares (request
log, idempotency, and the ingest fast path)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import cast

import anyio.to_thread
from litestar import Litestar, Router
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template.config import TemplateConfig
from litestar.types import ExceptionHandlersMap

from irbox import __version__
from irbox.config import Config, proxy_networks
from irbox.services import ServerServices
from irbox.web.allow import AllowedMethods
from irbox.web.api import (
    API_PREFIX,
    alerts,
    api_keys,
    attack,
    case_templates,
    cases,
    custom_fields,
    grouping_rules,
    health,
    license,
    metrics,
    observables,
    saved_views,
    settings,
    users,
    webhooks,
)
from irbox.web.asgi import ASGIApp
from irbox.web.compression import CompressedBody
from irbox.web.deps import DEPENDENCIES
from irbox.web.errors import HANDLERS
from irbox.web.gate import RefuseBeforeReading
from irbox.web.guard import api_guard
from irbox.web.idempotency import IdempotencyMiddleware
from irbox.web.ingest_path import IngestFastPath
from irbox.web.linger import LingeringClose
from irbox.web.proxy import ForwardedClient
from irbox.web.query import Utf8QueryString
from irbox.web.ratelimit import RateLimiter
from irbox.web.request_log import RequestLogMiddleware
from irbox.web.ui import formats
from irbox.web.ui.pages import static_files, ui_router
from irbox.web.ui.security import HANDLERS as UI_HANDLERS

READ_THREADS = 8  # reads at once; more wait their turn
JSON_BODY_LIMIT = 8 * 1024 * 1024  # an alert: 1 MiB of raw + 1,000 observables + text
LOGIN_PER_MINUTE, LOGIN_BURST = 20, 10  # password guesses per client IP
CODE_PER_MINUTE, CODE_BURST = 5, 5  # second-factor codes per user: 1 in 333,333 a guess
TEMPLATES = Path(__file__).resolve().parent / "ui" / "templates"


def create_litestar(config: Config) -> Litestar:
    @asynccontextmanager
    async def lifespan(app: Litestar) -> AsyncIterator[None]:
        # Read-only handlers (`sync_to_thread=True`) run on a few threads, off the event loop
        # that serves ingest: SQLite and DuckDB release the GIL while they work, and each
        # thread has its own read connection and index cursor.
        anyio.to_thread.current_default_thread_limiter().total_tokens = READ_THREADS
        services = ServerServices(config)
        services.start_background()
        app.state.services = services
        app.state.rate_limiter = RateLimiter(config.rate_limit_per_minute, config.rate_limit_burst)
        app.state.login_limiter = RateLimiter(LOGIN_PER_MINUTE, LOGIN_BURST)
        app.state.code_limiter = RateLimiter(CODE_PER_MINUTE, CODE_BURST)
        try:
            yield
        finally:
            services.close()

    api = Router(
        API_PREFIX,
        route_handlers=[
            alerts.AlertsController,
            users.UsersController,
            users.me,
            users.audit_log,
            users.my_notifications,
            users.mark_notifications_read,
            users.my_subscriptions,
            users.set_my_subscriptions,
            saved_views.my_views,
            saved_views.save_my_view,
            saved_views.delete_my_view,
            settings.sla_targets,
            settings.set_sla_targets,
            settings.report_settings,
            settings.set_report_settings,
            api_keys.ApiKeysController,
            cases.CasesController,
            custom_fields.CustomFieldsController,
            case_templates.CaseTemplatesController,
            grouping_rules.GroupingRulesController,
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
        route_handlers=[
            api,
            health.healthz,
            health.healthz_head,
            health.openapi_json,
            metrics.metrics,
            ui_router(),
            static_files,
        ],
        dependencies=DEPENDENCIES,
        exception_handlers=cast(ExceptionHandlersMap, {**HANDLERS, **UI_HANDLERS}),
        template_config=TemplateConfig(
            directory=TEMPLATES, engine=JinjaTemplateEngine, engine_callback=formats.register
        ),
        lifespan=[lifespan],
        request_max_body_size=JSON_BODY_LIMIT,
        logging_config=None,
        openapi_config=OpenAPIConfig(
            title="irbox API",
            version=__version__,
            # Litestar's own schema router (with a catch-all that answers HTML 404s) is kept out
            # of the way; the document is served by `health.openapi_json` at /api/v1/openapi.json.
            path=f"{API_PREFIX}/schema",
            render_plugins=[JsonRenderPlugin()],
            components=Components(
                security_schemes={"bearer": SecurityScheme(type="http", scheme="bearer")}
            ),
        ),
    )


def create_app(config: Config) -> ASGIApp:
    app = create_litestar(config)
    ingest = IngestFastPath(Utf8QueryString(AllowedMethods(app)), app.state, JSON_BODY_LIMIT)
    idempotent = IdempotencyMiddleware(
        ingest,
        store=lambda: app.state.services.idempotency,
        max_body=lambda: config.max_upload_bytes + JSON_BODY_LIMIT,
    )
    gated = RefuseBeforeReading(CompressedBody(idempotent, JSON_BODY_LIMIT), app)
    logged = RequestLogMiddleware(gated, metrics=lambda: app.state.services.metrics)
    lingering = LingeringClose(logged)
    proxies = proxy_networks(config.trusted_proxies)
    return ForwardedClient(lingering, proxies) if proxies else lingering
