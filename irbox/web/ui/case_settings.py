"""UI for admins shaping case work in Settings: the custom fields cases carry, the templates
new cases start from, and the rules that group new alerts into open cases."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from litestar import post
from litestar.params import FromPath

from irbox.cases.grouping import GroupingRuleIn, GroupingRulePatch
from irbox.cases.models import CustomFieldIn, CustomFieldPatch
from irbox.identity.principal import Actor
from irbox.web.deps import AnyRequest, AnyResponse, ServicesDep
from irbox.web.ui.security import signed_form
from irbox.web.ui.settings import saved


async def _as_admin(
    request: AnyRequest, part: str, change: Callable[[Actor], Awaitable[object]]
) -> AnyResponse:
    """An admin's form that only names what to change: back to `part` of Settings."""
    session, _ = await signed_form(request, "admin")
    return await saved(request, change(session.principal.actor), part)


def _choices(text: str) -> list[str]:
    return [c.strip() for c in text.split(",") if c.strip()]


@post("/settings/custom-fields", include_in_schema=False, status_code=200)
async def create_custom_field(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """A new field: key, label, type, choices (comma separated, a choice field's), required."""
    session, form = await signed_form(request, "admin")
    data = CustomFieldIn(
        key=form.get("key", "").strip(),
        label=form.get("label", ""),
        type=form.get("type", ""),
        choices=_choices(form.get("choices", "")),
        required=form.get("required") == "on",
    )
    change = services.custom_fields.create(data, session.principal.actor)
    return await saved(request, change, "#custom-fields")


@post("/settings/custom-fields/{key:str}", include_in_schema=False, status_code=200)
async def edit_custom_field(
    request: AnyRequest, services: ServicesDep, key: FromPath[str]
) -> AnyResponse:
    """Its label, choices and whether it is required."""
    session, form = await signed_form(request, "admin")
    patch = CustomFieldPatch(label=form.get("label", ""), required=form.get("required") == "on")
    if "choices" in form:
        patch.choices = _choices(form["choices"])
    change = services.custom_fields.update(key, patch, session.principal.actor)
    return await saved(request, change, "#custom-fields")


@post("/settings/custom-fields/{key:str}/delete", include_in_schema=False, status_code=200)
async def delete_custom_field(
    request: AnyRequest, services: ServicesDep, key: FromPath[str]
) -> AnyResponse:
    """Refused while a case holds a value for it (the page says how many)."""
    return await _as_admin(
        request, "#custom-fields", lambda actor: services.custom_fields.delete(key, actor)
    )


@post("/settings/templates/{template_id:str}/delete", include_in_schema=False, status_code=200)
async def delete_template(
    request: AnyRequest, services: ServicesDep, template_id: FromPath[str]
) -> AnyResponse:
    """Cases made with it keep what it gave them."""
    return await _as_admin(
        request, "#templates", lambda actor: services.templates.delete(template_id, actor)
    )


@post("/settings/grouping-rules", include_in_schema=False, status_code=200)
async def create_grouping_rule(request: AnyRequest, services: ServicesDep) -> AnyResponse:
    """A new rule: source, by host name or observable (types comma separated), window."""
    session, form = await signed_form(request, "admin")
    window = form.get("window_m", "").strip()
    data = GroupingRuleIn(
        source=form.get("source", ""),
        by=form.get("by", ""),
        observable_types=_choices(form.get("observable_types", "")),
        window_m=int(window) if window.isdigit() else 0,
    )
    change = services.grouping_rules.create(data, session.principal.actor)
    return await saved(request, change, "#grouping-rules")


@post("/settings/grouping-rules/{rule_id:str}/active", include_in_schema=False, status_code=200)
async def pause_or_resume_grouping_rule(
    request: AnyRequest, services: ServicesDep, rule_id: FromPath[str]
) -> AnyResponse:
    session, form = await signed_form(request, "admin")
    patch = GroupingRulePatch(active=form.get("active") == "1")
    change = services.grouping_rules.update(rule_id, patch, session.principal.actor)
    return await saved(request, change, "#grouping-rules")


@post("/settings/grouping-rules/{rule_id:str}/delete", include_in_schema=False, status_code=200)
async def delete_grouping_rule(
    request: AnyRequest, services: ServicesDep, rule_id: FromPath[str]
) -> AnyResponse:
    return await _as_admin(
        request, "#grouping-rules", lambda actor: services.grouping_rules.delete(rule_id, actor)
    )
