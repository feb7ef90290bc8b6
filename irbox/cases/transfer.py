"""A case handed between sites, air-gapped ones too: exported as one zip archive (the case file
as JSON, its evidence files, its report in HTML and Markdown, the names of the people in it,
and a manifest of every file's SHA-256), and imported on another irbox as a new case with a
number of its own.

Import refuses an archive that is not one, whose files differ from the manifest's list, or
whose bytes do not hash as the manifest says, before anything is written; then the case, its
observables (with their markings), tasks, comments, evidence and the origin's timeline are
written in one transaction, with a timeline entry naming where it came from. What cannot
travel stays behind and is named in that entry: the alerts (they belong to the site that
received them; their observables come along), people (authors and assignees are names
there, not users here), custom fields this irbox does not define, techniques its catalogue
lacks, and the resolution (the imported case is open: the receiving team decides)."""

from __future__ import annotations

import asyncio
import hashlib
import shutil
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import msgspec

from irbox import clock, ids, markdown_html
from irbox.alerts.models import SEVERITIES, Observable
from irbox.attack.catalogue import Catalogue
from irbox.cases import changes, custom_fields
from irbox.cases.evidence import EvidenceService, Upload, clean_content_type, clean_filename
from irbox.cases.models import PAP, TLP, Case
from irbox.cases.service import CaseService, add_observables, insert_case
from irbox.errors import Errors, ValidationFailed
from irbox.identity.principal import Actor
from irbox.reports.render import render
from irbox.store import attachments, case_tasks, comments, timeline
from irbox.store import cases as cases_table
from irbox.store import users as users_table
from irbox.store.database import Connection, written

FORMAT, VERSION = "irbox-case-archive", 1
MANIFEST = "manifest.json"
CHUNK = 1 << 20

_encode = msgspec.json.Encoder().encode


class Manifest(msgspec.Struct):
    format: str
    version: int
    exported_at: str
    origin: str  # the exporting irbox's public URL
    case_id: str
    number: int
    files: dict[str, str]  # name in the archive -> SHA-256 of its bytes


class CaseTransfer:
    def __init__(
        self,
        cases: CaseService,
        evidence: EvidenceService,
        catalogue: Catalogue,
        max_archive_bytes: int,
    ) -> None:
        self.cases = cases
        self.evidence = evidence
        self.catalogue = catalogue
        self.max_archive_bytes = max_archive_bytes

    # -- export

    def export(self, case_id: str) -> Path:
        """The archive, as a temp file the caller sends and removes."""
        case = self.cases.get(case_id)
        users = self.cases.db.read(users_table.list_all)
        people = {
            u["id"]: f"{u['name']} <{u['email']}>" if u["name"] else u["email"] for u in users
        }
        labels = {k: f.label for k, f in self.cases.db.read(custom_fields.definitions).items()}
        html, markdown = render(case, people, self.cases.public_url, labels)
        files: dict[str, str] = {}
        tmp_dir = self.evidence.tmp_dir
        tmp_dir.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="export-", suffix=".zip")
        path = Path(name)
        try:
            with open(fd, "wb") as raw, zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as zf:

                def put(member: str, data: bytes) -> None:
                    zf.writestr(member, data)
                    files[member] = hashlib.sha256(data).hexdigest()

                put("case.json", msgspec.json.format(_encode(case), indent=1))
                named = _people_in(case)
                put("people.json", _encode({i: people[i] for i in sorted(named) if i in people}))
                put("report.html", html.encode())
                put("report.md", markdown.encode())
                for e in case.evidence:
                    member = f"evidence/{e.sha256}"
                    if member not in files:
                        with self.evidence.blobs.open(e.sha256) as src, zf.open(member, "w") as dst:
                            shutil.copyfileobj(src, dst, 1024 * 1024)
                        files[member] = e.sha256
                manifest = Manifest(
                    FORMAT,
                    VERSION,
                    clock.to_rfc3339(clock.now_us()) or "",
                    self.cases.public_url,
                    case.id,
                    case.number,
                    files,
                )
                zf.writestr(MANIFEST, msgspec.json.format(_encode(manifest), indent=1))
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return path

    # -- import

    def new_archive(self) -> Upload:
        """A temp file for an archive arriving (at most `max_archive_bytes`)."""
        return self.evidence.new_upload(self.max_archive_bytes)

    async def import_archive(self, path: Path, actor: Actor) -> Case:
        # Reading, hashing and unpacking an archive of gigabytes runs on a thread, as placing
        # its files does: the event loop serves every other request meanwhile.
        manifest, case, people, uploads = await asyncio.to_thread(self._unpacked, path)
        async with self.evidence.placed(uploads):
            new_id = await self.cases.writer.run(
                lambda conn: _recreate(conn, manifest, case, people, self.catalogue, actor)
            )
        return self.cases.get(new_id)

    def _unpacked(self, path: Path) -> tuple[Manifest, Case, dict[str, str], list[Upload]]:
        """The archive checked, and its evidence files extracted to uploads to place."""
        try:
            zf = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise ValidationFailed("not a case archive", {"archive": "not a zip file"}) from None
        uploads: list[Upload] = []
        with zf:
            manifest, case, people = self._checked(zf)
            try:
                for sha in dict.fromkeys(e.sha256 for e in case.evidence):
                    uploads.append(self._extract(zf, f"evidence/{sha}"))
            except BaseException:
                for upload in uploads:
                    upload.abort()
                raise
        return manifest, case, people, uploads

    def _checked(self, zf: zipfile.ZipFile) -> tuple[Manifest, Case, dict[str, str]]:
        """The manifest, the case and its people, once every file is as the manifest says."""
        try:
            manifest = msgspec.json.decode(zf.read(MANIFEST), type=Manifest)
        except (KeyError, msgspec.DecodeError) as exc:
            raise ValidationFailed("not a case archive", {MANIFEST: str(exc)}) from None
        if (manifest.format, manifest.version) != (FORMAT, VERSION):
            raise ValidationFailed(
                "not a case archive this irbox reads",
                {MANIFEST: f"format {FORMAT} version {VERSION} expected"},
            )
        present = {i.filename for i in zf.infolist() if not i.is_dir()} - {MANIFEST}
        errors = Errors()
        for name in sorted(present - set(manifest.files)):
            errors.add(f"files.{name}", "in the archive but not in the manifest")
        for name in sorted(set(manifest.files) - present):
            errors.add(f"files.{name}", "in the manifest but not in the archive")
        if sum(zf.getinfo(n).file_size for n in present) > self.max_archive_bytes:
            errors.add("archive", f"unpacks to more than {self.max_archive_bytes} bytes")
        errors.raise_if_any("the archive is damaged")
        for name in sorted(present):
            digest = hashlib.sha256()
            with zf.open(name) as member:
                while chunk := member.read(CHUNK):
                    digest.update(chunk)
            if digest.hexdigest() != manifest.files[name]:
                errors.add(f"files.{name}", "its SHA-256 differs from the manifest's")
        errors.raise_if_any("the archive is damaged: its files do not match their hashes")
        try:
            case = msgspec.json.decode(zf.read("case.json"), type=Case)
            people = msgspec.json.decode(zf.read("people.json"), type=dict[str, str])
        except (KeyError, msgspec.DecodeError) as exc:
            raise ValidationFailed(
                "the archive's case is unreadable", {"case.json": str(exc)}
            ) from None
        for e in case.evidence:
            if f"evidence/{e.sha256}" not in present:
                errors.add(f"evidence.{e.id}", "its file is not in the archive")
        errors.raise_if_any("the archive is incomplete")
        return manifest, case, people

    def _extract(self, zf: zipfile.ZipFile, member: str) -> Upload:
        upload = self.new_archive()
        try:
            with zf.open(member) as source:
                while chunk := source.read(CHUNK):
                    upload.write(chunk)
        except BaseException:
            upload.abort()
            raise
        return upload


def _people_in(case: Case) -> set[str]:
    """The users a case file names: authors, actors, assignees, uploaders."""
    named = {case.created_by, case.assignee}
    named |= {c.author for c in case.comments} | {e.actor for e in case.timeline}
    named |= {e.uploaded_by for e in case.evidence} | {t.assignee for t in case.tasks}
    if case.resolution:
        named.add(case.resolution.by)
    return {n for n in named if n}


def _recreate(
    conn: Connection,
    manifest: Manifest,
    case: Case,
    people: dict[str, str],
    catalogue: Catalogue,
    actor: Actor,
) -> str:
    """The imported case and all it holds, in the import's transaction; returns its id."""
    now = clock.now_us()
    origin = f"case #{manifest.number} at {manifest.origin}"
    errors = Errors()
    fields = custom_fields.definitions(conn)
    values = custom_fields.check_values(errors, fields, case.custom_fields, clearing=False)
    left: dict[str, Any] = {
        "custom_fields": {
            k: v for k, v in case.custom_fields.items() if f"custom_fields.{k}" in errors.fields
        },
        "attack": [t.id for t in case.attack if t.id not in catalogue.by_id],
        "alerts": [{"id": a.id, "title": a.title, "source": a.source} for a in case.alerts],
        "resolution": msgspec.to_builtins(case.resolution) if case.resolution else None,
    }
    values = {k: v for k, v in values.items() if f"custom_fields.{k}" not in errors.fields}
    case_id = insert_case(
        conn,
        actor,
        now,
        title=case.title,
        description=case.description,
        severity=case.severity if case.severity in SEVERITIES else "medium",
        tags=case.tags,
        assignee=None,
        attack=[t.id for t in case.attack if t.id in catalogue.by_id],
        observables=[],
        marking=(
            case.tlp if case.tlp in TLP else "amber",
            case.pap if case.pap in PAP else "amber",
        ),
        custom_fields=values,
    )
    case_seq = written(cases_table.get(conn, case_id))["seq"]
    for o in case.observables:
        marking = (o.tlp if o.tlp in TLP else "amber", o.pap if o.pap in PAP else "amber")
        add_observables(
            conn, case_id, case_seq, [Observable(o.type, o.value)], actor, now, marking=marking
        )
    for t in case.tasks:
        due = clock.parse_rfc3339(t.due_at) if t.due_at else None
        case_tasks.insert(
            conn,
            {
                "id": ids.new_id("tsk"),
                "case_id": case_id,
                "title": t.title,
                "description": t.description,
                "assignee": None,
                "due_at": due,
                "required": int(t.required),
                "status": t.status,
                "created_at": now,
                "created_by": actor.user_id,
                "updated_at": now,
            },
        )
    for c in case.comments:
        author = people.get(c.author or "", "someone")
        body = f"_{author} wrote on {c.created_at} ({origin}):_\n\n{c.body}"
        comments.insert(
            conn,
            {
                "id": ids.new_id("cmt"),
                "case_id": case_id,
                "author": None,
                "body": body,
                "body_html": markdown_html.render(body),
                "mentions": "[]",
                "created_at": now,
            },
        )
    for e in case.evidence:
        attachments.insert(
            conn,
            {
                "id": ids.new_id("att"),
                "case_id": case_id,
                "filename": clean_filename(e.filename),
                "size": e.size,
                "sha256": e.sha256,
                "content_type": clean_content_type(e.content_type),
                "description": e.description[:10_000],
                "uploaded_by": actor.user_id,
                "uploaded_at": now,
            },
        )
    for event in case.timeline:
        data = {"type": event.type, "actor": people.get(event.actor or ""), **event.data}
        timeline.insert(
            conn,
            case_id,
            clock.parse_rfc3339(event.at),
            "origin_event",
            None,
            event.summary,
            _encode(data).decode(),
        )
    summary = f"imported from {origin}"
    changes.record(
        conn,
        case_id,
        "imported",
        actor,
        now,
        summary,
        {
            "origin": manifest.origin,
            "case_id": manifest.case_id,
            "number": manifest.number,
            "exported_at": manifest.exported_at,
            "left_behind": left,
        },
    )
    return case_id
