"""Checks shared by case creation and editing; each adds to an `Errors` collector."""

from __future__ import annotations

from irbox.alerts.models import SEVERITIES
from irbox.attack.catalogue import Catalogue
from irbox.cases.models import PAP, TLP
from irbox.errors import Errors
from irbox.store import users as users_table
from irbox.store.database import Connection

MAX_TITLE = 512
MAX_DESCRIPTION = 100_000


def check_title(errors: Errors, title: str) -> str:
    if not title.strip() or len(title) > MAX_TITLE:
        errors.add("title", f"1 to {MAX_TITLE} characters, not blank")
    return title.strip()


def check_severity(errors: Errors, severity: str) -> None:
    if severity not in SEVERITIES:
        errors.add("severity", f"must be one of {', '.join(SEVERITIES)}")


def check_marking(errors: Errors, tlp: str, pap: str, prefix: str = "") -> tuple[str, str]:
    """A (TLP, PAP) pair as stored; each value named in `errors` when it is not one."""
    if tlp not in TLP:
        errors.add(prefix + "tlp", f"one of {', '.join(TLP)}")
    if pap not in PAP:
        errors.add(prefix + "pap", f"one of {', '.join(PAP)}")
    return tlp, pap


def check_description(errors: Errors, description: str | None) -> str | None:
    """The description as stored: line endings as `\\n` (a browser's form sends CRLF, so a
    page that resubmits it unchanged changes nothing), trimmed, an empty one as none."""
    if description is None:
        return None
    text = normalize_newlines(description).strip()
    if len(text) > MAX_DESCRIPTION:
        errors.add("description", f"at most {MAX_DESCRIPTION} characters")
    return text or None


def normalize_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_attack(errors: Errors, catalogue: Catalogue, ids: list[str]) -> list[str]:
    result: list[str] = []
    for i, technique in enumerate(ids):
        canonical = technique.strip().upper()
        if canonical not in catalogue.by_id:
            errors.add(f"attack[{i}]", f"unknown ATT&CK technique (catalogue {catalogue.version})")
        elif canonical not in result:
            result.append(canonical)
    return result


def check_assignee(conn: Connection, errors: Errors, assignee: str | None) -> None:
    if assignee is None:
        return
    user = users_table.get(conn, assignee)
    if user is None or user["disabled"]:
        errors.add("assignee", "no such active user")
    elif user["role"] == "viewer":  # viewers read only: they could not work the case
        errors.add("assignee", "a viewer cannot be assigned a case; an analyst or admin can")
