"""The router that gathers every UI page, and the home redirect."""

from __future__ import annotations

from pathlib import Path

from litestar import Router, get
from litestar.response import Redirect
from litestar.static_files import create_static_files_router

from irbox.errors import DomainError
from irbox.web.ui import (
    admin,
    case_actions,
    case_settings,
    cases,
    dashboard,
    login,
    notifications,
    observables,
    queue,
    settings,
    two_factor,
)
from irbox.web.ui.security import HEADERS, refused

STATIC = Path(__file__).parent / "static"


@get("/", include_in_schema=False)
async def home() -> Redirect:
    return Redirect("/alerts")


def ui_router() -> Router:
    return Router(
        "/",
        route_handlers=[
            home,
            login.login_page,
            login.login,
            login.logout,
            two_factor.code_page,
            two_factor.check_code,
            two_factor.begin,
            two_factor.confirm,
            two_factor.new_recovery_codes,
            two_factor.turn_off,
            queue.alert_queue,
            queue.alert_rows,
            queue.related_hint,
            queue.dismiss_alert,
            queue.bulk_action,
            queue.save_view,
            queue.delete_view,
            queue.reopen_alert,
            cases.alert_detail,
            cases.escalate_alert,
            cases.escalate_with_related,
            cases.case_list,
            case_actions.open_case,
            case_actions.import_case,
            case_actions.export_case,
            case_actions.save_as_template,
            case_actions.reopen_case,
            case_actions.link_case,
            case_actions.merge_case,
            case_actions.unlink_case,
            case_actions.add_task,
            case_actions.set_task_status,
            case_actions.add_observable,
            case_actions.remove_observable,
            case_actions.remove_evidence,
            case_actions.delete_comment,
            case_actions.add_timeline_entry,
            cases.case_workspace,
            cases.add_comment,
            cases.edit_comment,
            cases.preview_comment,
            observables.observable_page,
            observables.suppress,
            observables.lift,
            observables.dismiss_covered,
            notifications.notifications_page,
            notifications.mark_read,
            admin.create_user,
            admin.update_user,
            admin.new_password,
            admin.audit_log,
            dashboard.dashboard,
            case_actions.upload_evidence,
            case_actions.download_evidence,
            case_actions.map_technique,
            case_actions.edit_case,
            case_actions.resolve_case,
            case_actions.case_report,
            settings.settings_page,
            settings.change_password,
            settings.choose_theme,
            settings.choose_subscriptions,
            settings.send_test_mail,
            settings.set_sla,
            settings.set_reports,
            case_settings.create_custom_field,
            case_settings.edit_custom_field,
            case_settings.delete_custom_field,
            case_settings.delete_template,
            case_settings.create_grouping_rule,
            case_settings.pause_or_resume_grouping_rule,
            case_settings.delete_grouping_rule,
            settings.create_key,
            settings.revoke_key,
            settings.create_webhook,
            settings.ping_webhook,
            settings.pause_or_resume_webhook,
            settings.delete_webhook,
            settings.redeliver,
            settings.install_license,
        ],
        response_headers=HEADERS,
        exception_handlers={DomainError: refused},
        include_in_schema=False,
    )


static_files = create_static_files_router(
    path="/static", directories=[STATIC], name="static", include_in_schema=False,
    opt={"public": True},
)  # fmt: skip
