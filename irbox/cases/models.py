"""What crosses the API for cases."""

from __future__ import annotations

from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from irbox.alerts.models import ObservableIn
from irbox.sla.targets import Sla

CASE_STATUSES = ("open", "in_progress", "resolved", "merged")
VERDICTS = ("true_positive", "false_positive", "benign", "duplicate")


# Sharing markings: FIRST's Traffic Light Protocol 2.0, and the Permissible Actions Protocol.
TLP = ("clear", "green", "amber", "amber+strict", "red")
PAP = ("clear", "green", "amber", "red")


class CaseCreate(msgspec.Struct, forbid_unknown_fields=True):
    title: str = ""  # required unless the template gives one
    severity: str = ""  # required unless the template gives one
    description: str | None = None
    tags: list[str] = []
    assignee: str | None = None
    observables: list[ObservableIn] = []
    attack: list[str] = []
    tlp: str | None = None  # the template's, else amber
    pap: str = "amber"
    custom_fields: dict[str, Any] = {}  # by key; see GET /custom-fields
    template_id: str | None = None  # tpl_…: its fields where these are not given, its tasks


class CasePatch(msgspec.Struct, forbid_unknown_fields=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType | None = UNSET
    severity: str | UnsetType = UNSET
    status: str | UnsetType = UNSET
    assignee: str | UnsetType | None = UNSET
    tags: list[str] | UnsetType = UNSET
    attack: list[str] | UnsetType = UNSET
    tlp: str | UnsetType = UNSET
    pap: str | UnsetType = UNSET
    custom_fields: dict[str, Any] | UnsetType = UNSET  # the keys given change; null clears one


class CaseAlert(msgspec.Struct):
    id: str
    title: str
    severity: str
    source: str
    detected_at: str


class CaseObservable(msgspec.Struct):
    id: str  # obs_…
    type: str
    value: str
    first_seen: str
    alerts: list[str]  # ids of the case's alerts that carried it
    tlp: str = "amber"
    pap: str = "amber"


class CaseObservableIn(msgspec.Struct, forbid_unknown_fields=True):
    """An observable added to a case by hand, with its marking."""

    type: str
    value: str
    tlp: str = "amber"
    pap: str = "amber"


class Evidence(msgspec.Struct):
    id: str
    filename: str
    size: int
    sha256: str
    content_type: str
    description: str
    uploaded_by: str | None
    uploaded_at: str


class AttackTechnique(msgspec.Struct):
    id: str
    name: str
    tactics: list[str]


TASK_STATUSES = ("open", "done", "skipped")


class TaskIn(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    description: str = ""
    assignee: str | None = None
    due_at: str | None = None  # RFC 3339 with an offset
    required: bool = False  # the case cannot be resolved while it is open


class TaskPatch(msgspec.Struct, forbid_unknown_fields=True):
    title: str | UnsetType = UNSET
    description: str | UnsetType = UNSET
    assignee: str | UnsetType | None = UNSET
    due_at: str | UnsetType | None = UNSET
    required: bool | UnsetType = UNSET
    status: str | UnsetType = UNSET


class Task(msgspec.Struct):
    id: str  # tsk_…
    title: str
    description: str
    assignee: str | None
    due_at: str | None
    required: bool
    status: str  # open, done, skipped
    created_at: str
    updated_at: str


class TaskList(msgspec.Struct):
    items: list[Task]


LINK_KINDS = ("related", "parent", "child")
# A link as the other case sees it: A's parent has A as its child.
INVERSE = {"related": "related", "parent": "child", "child": "parent"}


class LinkIn(msgspec.Struct, forbid_unknown_fields=True):
    case_id: str
    kind: str  # what the linked case is to this one: related, parent or child


class CaseLink(msgspec.Struct):
    case_id: str
    number: int
    title: str
    status: str
    kind: str  # what the linked case is to this one


CUSTOM_FIELD_TYPES = ("string", "number", "boolean", "date", "choice")


class CustomFieldIn(msgspec.Struct, forbid_unknown_fields=True):
    key: str  # lower-case letters, digits and _, starting with a letter
    label: str
    type: str  # string, number, boolean, date (YYYY-MM-DD) or choice
    choices: list[str] = []  # a choice field's values
    required: bool = False  # a case cannot be resolved without a value


class CustomFieldPatch(msgspec.Struct, forbid_unknown_fields=True):
    label: str | UnsetType = UNSET
    choices: list[str] | UnsetType = UNSET
    required: bool | UnsetType = UNSET


class CustomField(msgspec.Struct):
    key: str
    label: str
    type: str
    choices: list[str]
    required: bool


class CustomFieldList(msgspec.Struct):
    items: list[CustomField]


class Comment(msgspec.Struct):
    id: str
    author: str | None
    body: str
    body_html: str  # rendered from markdown and sanitised
    mentions: list[str]
    created_at: str
    edited_at: str | None = None  # by its author, last


class TimelineEvent(msgspec.Struct):
    at: str
    type: str
    actor: str | None
    summary: str
    data: dict[str, Any]


class Resolution(msgspec.Struct):
    verdict: str
    root_cause: str
    narrative: str
    by: str | None
    at: str


class ReportLinks(msgspec.Struct):
    generated_at: str
    html: str
    markdown: str


class CaseSummary(msgspec.Struct, kw_only=True):
    id: str
    number: int
    title: str
    severity: str
    status: str
    assignee: str | None
    tags: list[str]
    created_at: str
    created_by: str | None
    updated_at: str
    tlp: str = "amber"
    pap: str = "amber"
    sla: Sla | None = None  # due to be resolved by, and whether it was (or is) late
    custom_fields: dict[str, Any] = msgspec.field(default_factory=dict)
    merged_into: str | None = None  # case_…: where a merged case's work went


class Case(CaseSummary, kw_only=True):
    description: str | None
    alerts: list[CaseAlert]
    observables: list[CaseObservable]
    evidence: list[Evidence]
    attack: list[AttackTechnique]
    comments: list[Comment]
    timeline: list[TimelineEvent]
    resolution: Resolution | None
    report: ReportLinks | None
    tasks: list[Task] = msgspec.field(default_factory=list)
    links: list[CaseLink] = msgspec.field(default_factory=list)


class CasePage(msgspec.Struct):
    items: list[CaseSummary]
    next_cursor: str | None


class MergeIn(msgspec.Struct, forbid_unknown_fields=True):
    into: str  # case_…, open or in progress


class EscalateIn(msgspec.Struct, forbid_unknown_fields=True):
    case_id: str | None = None
    template_id: str | None = None  # for a new case; without one, the first rule that matches


class EscalateResult(msgspec.Struct):
    case_id: str
    created: bool


class TimelineIn(msgspec.Struct, forbid_unknown_fields=True):
    at: str
    summary: str


class CommentIn(msgspec.Struct, forbid_unknown_fields=True):
    body: str
    mentions: list[str] = []


class ResolveIn(msgspec.Struct, forbid_unknown_fields=True):
    verdict: str
    root_cause: str = ""
    narrative: str = ""


class RemovedObservable(msgspec.Struct):
    id: str
    type: str
    value: str


class AddedObservable(msgspec.Struct):
    id: str  # obs_…, the case's row for it (new or already there)
    type: str
    value: str
    added: bool  # False when the case already had it


class TemplateTask(msgspec.Struct, forbid_unknown_fields=True):
    title: str
    description: str = ""
    required: bool = False


class TemplateRule(msgspec.Struct, forbid_unknown_fields=True, omit_defaults=True):
    """When an alert escalated into a new case matches every condition given, the template
    applies: its source, a severity at least this, one of its tags, an ATT&CK technique in
    its tags (`T1566`, `attack.t1566`; a technique covers its sub-techniques)."""

    source: str | None = None
    min_severity: str | None = None
    tag: str | None = None
    technique: str | None = None


class CaseTemplateIn(msgspec.Struct, forbid_unknown_fields=True):
    name: str
    title: str | None = None
    severity: str | None = None
    tags: list[str] = []
    description: str | None = None
    tlp: str | None = None
    tasks: list[TemplateTask] = []
    custom_fields: dict[str, Any] = {}
    rules: list[TemplateRule] = []


class CaseTemplatePatch(msgspec.Struct, forbid_unknown_fields=True):
    name: str | UnsetType = UNSET
    title: str | UnsetType | None = UNSET
    severity: str | UnsetType | None = UNSET
    tags: list[str] | UnsetType = UNSET
    description: str | UnsetType | None = UNSET
    tlp: str | UnsetType | None = UNSET
    tasks: list[TemplateTask] | UnsetType = UNSET
    custom_fields: dict[str, Any] | UnsetType = UNSET
    rules: list[TemplateRule] | UnsetType = UNSET


class CaseTemplate(msgspec.Struct, kw_only=True):
    id: str  # tpl_…
    name: str
    title: str | None
    severity: str | None
    tags: list[str]
    description: str | None
    tlp: str | None
    tasks: list[TemplateTask]
    custom_fields: dict[str, Any]
    rules: list[TemplateRule]
    created_at: str
    updated_at: str


class CaseTemplateList(msgspec.Struct):
    items: list[CaseTemplate]
