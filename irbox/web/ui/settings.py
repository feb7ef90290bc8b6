"""UI settings: API keys (any user, their own) and webhooks (admins). Secrets are shown once,
in the answer to the form that created them."""

from __future__ import annotations

import hmac
from collections.abc import Awaitable, Callable, Mapping

from litestar import Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from irbox.alerts.models import SEVERITIES
from irbox.cases.models import CUSTOM_FIELD_TYPES
from irbox.errors import DomainError
from irbox.identity.api_keys import ApiKeyCreate
from irbox.identity.principal import Actor
from irbox.identity.scopes import ROLES, SCOPES
from irbox.notifications.subscriptions import Subscriptions
from irbox.reports.settings import ReportSettings
from irbox.sla.targets import Target, Targets
from irbox.web.asgi import client_ip
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep, services_of
from irbox.web.ui.inputs import utc_from_local
from irbox.web.ui.qr import qr_svg
from irbox.web.ui.security import CsrfRejected, current_session, session_with, signed_form
from irbox.web.uploads import StreamedForm
from irbox.webhooks.models import EVENTS, FORMATS, WebhookCreate, WebhookPatch
from irbox.webhooks.service import WebhookService


def render(
    request: AnyRequest,
    shown: Mapping[str, str | None] | None = None,
    error: str | None = None,
    recovery_codes: list[str] | None = None,
    notice: str | None = None,
) -> Template:
    """The settings page; `shown` is a secret to show once (`recovery_codes` too), `error`
    what a form got wrong."""
    session = current_session(request)
    services = services_of(request)
    enrolment = services.two_factor.pending(session.principal.user_id)
    mfa = {"status": services.two_factor.status(session.principal.user_id),
           "enrolment": enrolment, "required": services.config.require_mfa,
           "qr": qr_svg(enrolment.uri, "QR code of your two-factor key") if enrolment else None,
           "recovery_codes": recovery_codes or []}  # fmt: skip
    admin = session.principal.can("admin")
    # Admins see everyone's keys (to revoke a leaked one): one read, split by owner.
    listed = services.api_keys.list(None if admin else session.principal.user_id)
    keys = [k for k in listed if k.user_id == session.principal.user_id]
    hooks = services.webhooks.list() if admin else []
    deliveries = {h.id: services.webhooks.deliveries(h.id, None, 10).items for h in hooks}
    users = services.users.list() if admin else []
    others = [k for k in listed if k.user_id != session.principal.user_id and not k.revoked_at]
    context = {"session": session, "keys": keys, "scopes": sorted(session.principal.scopes),
               "all_scopes": SCOPES, "hooks": hooks, "deliveries": deliveries, "events": EVENTS,
               "admin": admin, "users": users, "roles": ROLES, "formats": FORMATS,
               "shown": shown or {}, "error": error, "other_keys": others,
               "emails": {u.id: u.email for u in users}, "mfa": mfa, "notice": notice,
               "mail": {"on": bool(services.config.smtp_host), "severities": SEVERITIES,
                        "chosen": services.subscriptions.get(session.principal.user_id)},
               "sla": services.sla.targets,
               "reports": services.report_settings.get(),
               "custom_fields": services.custom_fields.list().items if admin else [],
               "field_types": CUSTOM_FIELD_TYPES,
               "templates": services.templates.list().items if admin else [],
               "grouping_rules": services.grouping_rules.list().items if admin else [],
               "sources": services.alerts.sources() if admin else [],
               }  # fmt: skip
    return Template("settings.html", context=context, status_code=400 if error else 200)


@get("/settings", include_in_schema=False, sync_to_thread=True)
def settings_page(request: AnyRequest) -> Template:
    return render(request)


@post("/settings/password", include_in_schema=False, status_code=200)
async def change_password(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """Your own password, given the current one. The change ends every session of yours, this
    one too: the browser goes to the sign-in page."""
    session, form = await signed_form(request)
    if request.app.state.login_limiter.take(f"login:{client_ip(request.scope)}"):
        return render(request, error="Too many attempts; wait a minute.")  # guesses, as sign-in
    new = form.get("new_password", "")
    if new != form.get("confirm_password", ""):
        return render(request, error="The new password and its confirmation differ.")
    try:
        await services.users.change_own_password(
            session.principal.user_id,
            form.get("current_password", ""),
            new,
            session.principal.actor,
        )
    except DomainError as exc:
        return render(request, error="; ".join(exc.details.values()) or exc.message)
    return Redirect("/login?changed=1", status_code=303)


async def saved(request: AnyRequest, change: Awaitable[object], part: str) -> AnyResponse:
    """A choice of your own saved: back to its part of Settings, or the page saying what was
    wrong with it."""
    try:
        await change
    except DomainError as exc:
        return render(request, error="; ".join(exc.details.values()) or exc.message)
    return Redirect("/settings" + part, status_code=303)


@post("/settings/theme", include_in_schema=False, status_code=303)
async def choose_theme(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """Your own theme: follow the system's light or dark setting, or always one of them."""
    session, form = await signed_form(request)
    change = services.users.choose_theme(
        session.principal.user_id, form.get("theme", ""), session.principal.actor
    )
    return await saved(request, change, "#theme")


@post("/settings/subscriptions", include_in_schema=False, status_code=200)
async def choose_subscriptions(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """What you are mailed about: the boxes ticked, and new alerts from a severity up."""
    session, form = await signed_form(request)
    wanted = Subscriptions(
        mentioned="mentioned" in form,
        assigned="assigned" in form,
        alert_added_to_my_case="alert_added_to_my_case" in form,
        new_alert_min_severity=form.get("new_alert_min_severity") or None,
        sla_breached="sla_breached" in form,
    )
    change = services.subscriptions.put(session.principal.user_id, wanted, session.principal.actor)
    return await saved(request, change, "#mail")


@post("/settings/test-mail", include_in_schema=False, status_code=200)
async def send_test_mail(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """A test message to your address, sent within seconds (or retried, as any mail)."""
    session, _ = await signed_form(request)
    if not services.config.smtp_host:
        return render(request, error="Mail is not set up here (smtp_host).")
    await services.mail_outbox.test(session.principal.user_id)
    return render(request, notice=f"A test mail is on its way to {session.principal.email}.")


@post("/settings/sla", include_in_schema=False, status_code=200)
async def set_sla(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """The SLA targets (admins): minutes to triage and hours to resolve, per severity; an
    empty field is no target."""
    session, form = await signed_form(request, "admin")
    try:
        wanted = Targets(**{
            severity: Target(
                triage_m=_number(form.get(f"{severity}.triage_m", "")),
                resolve_h=_number(form.get(f"{severity}.resolve_h", "")),
            )
            for severity in SEVERITIES
        })  # fmt: skip
    except ValueError:
        return render(request, error="SLA targets are numbers (minutes, hours), or empty.")
    change = services.sla.put(wanted, session.principal.actor)
    return await saved(request, change, "#sla")


@post("/settings/reports", include_in_schema=False, status_code=200)
async def set_reports(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """How reports are written (admins): observable values defanged or as they are."""
    session, form = await signed_form(request, "admin")
    wanted = ReportSettings(defang_observables=form.get("defang_observables") == "on")
    return await saved(request, services.report_settings.put(wanted, session.principal.actor),
                       "#reports")  # fmt: skip


def _number(text: str) -> float | None:
    return float(text) if text.strip() else None


@post("/settings/api-keys", include_in_schema=False, status_code=200)
async def create_key(request: AnyRequest, services: ServicesDep) -> Template:
    session, _ = await signed_form(request)
    form = await request.form()
    scopes = [str(s) for s in form.getall("scopes")] if "scopes" in form else None
    expires_at = utc_from_local(str(form.get("expires_at", "")))
    data = ApiKeyCreate(name=str(form.get("name", "")), scopes=scopes, expires_at=expires_at)
    try:
        created = await services.api_keys.create(
            session.principal.user_id,
            data,
            session.principal.actor,
            allowed=session.principal.scopes,
        )
    except DomainError as exc:
        return render(request, error="; ".join(exc.details.values()) or exc.message)
    return render(request, shown={"label": f"API key {created.key.name}", "secret": created.token})


@post("/settings/api-keys/{key_id:str}/revoke", include_in_schema=False, status_code=303)
async def revoke_key(
    request: AnyRequest, services: ServicesDep, key_id: FromPath[str]
) -> AnyResponse:
    session, _ = await signed_form(request)
    await services.api_keys.revoke(key_id, session.principal)
    return Redirect("/settings")


@post("/settings/webhooks", include_in_schema=False, status_code=200)
async def create_webhook(request: AnyRequest, services: ServicesDep) -> Template:
    session, _ = await signed_form(request, "admin")
    form = await request.form()
    events = [str(e) for e in form.getall("events")] if "events" in form else []
    try:
        created = await services.webhooks.create(
            WebhookCreate(
                url=str(form.get("url", "")),
                events=events,
                format=str(form.get("format", "irbox")),
            ),
            session.principal.actor,
        )
    except DomainError as exc:
        return render(request, error="; ".join(exc.details.values()) or exc.message)
    shown = {"label": f"webhook secret for {created.webhook.url}", "secret": created.secret}
    return render(request, shown=shown)


async def _on_webhook(
    request: AnyRequest, act: Callable[[WebhookService, dict[str, str], Actor], Awaitable[object]]
) -> AnyResponse:
    """A webhook button in Settings (admins): run it, back to the webhooks."""
    session, form = await signed_form(request, "admin")
    await act(services_of(request).webhooks, form, session.principal.actor)
    return Redirect("/settings#webhooks")


@post("/settings/webhooks/{webhook_id:str}/ping", include_in_schema=False, status_code=303)
async def ping_webhook(request: AnyRequest, webhook_id: FromPath[str]) -> AnyResponse:
    return await _on_webhook(request, lambda hooks, _, actor: hooks.ping(webhook_id, actor))


@post("/settings/webhooks/{webhook_id:str}/active", include_in_schema=False, status_code=303)
async def pause_or_resume_webhook(request: AnyRequest, webhook_id: FromPath[str]) -> AnyResponse:
    """Pausing keeps the webhook and its deliveries; events while paused are not queued."""
    return await _on_webhook(
        request,
        lambda hooks, form, actor: hooks.update(
            webhook_id, WebhookPatch(active=form.get("active") == "1"), actor
        ),
    )


@post("/settings/webhooks/{webhook_id:str}/delete", include_in_schema=False, status_code=303)
async def delete_webhook(request: AnyRequest, webhook_id: FromPath[str]) -> AnyResponse:
    return await _on_webhook(request, lambda hooks, _, actor: hooks.delete(webhook_id, actor))


@post(
    "/settings/webhooks/{webhook_id:str}/deliveries/{delivery_id:str}/redeliver",
    include_in_schema=False,
    status_code=303,
)
async def redeliver(
    request: AnyRequest, webhook_id: FromPath[str], delivery_id: FromPath[str]
) -> AnyResponse:
    return await _on_webhook(
        request, lambda hooks, _, actor: hooks.redeliver(webhook_id, delivery_id, actor)
    )


@post("/settings/license", include_in_schema=False, status_code=303, request_max_body_size=65536)
async def install_license(
    request: AnyRequest, services: ServicesDep, csrf: FromQuery[str] = ""
) -> AnyResponse:
    """Works while locked: it is how an admin unlocks. CSRF in the query, checked first."""
    session = session_with(request, "admin", lock_exempt=True)
    if not hmac.compare_digest(csrf, session.csrf):
        raise CsrfRejected
    chunks: list[bytes] = []
    form = StreamedForm(request.headers.get("content-type"), lambda _, chunk: chunks.append(chunk))
    await form.consume(request.stream())
    try:
        await services.license.install(b"".join(chunks), session.principal.actor)
    except DomainError as exc:
        body = ("Not a valid irbox license: " + "; ".join(exc.details.values())).encode()
        return Response(body, status_code=400, media_type="text/plain")
    return Redirect("/settings#license")
