"""Streaming multipart/form-data: parts are parsed as the body arrives (the `multipart` package's
push parser, which Litestar itself uses), and the `file` part goes straight into the evidence
upload, so a 50 MB file is never held in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING

from multipart import MultipartError, MultipartSegment, PushMultipartParser, parse_options_header

from irbox.errors import ValidationFailed

if TYPE_CHECKING:
    from irbox.cases.evidence import EvidenceService
    from irbox.cases.models import Case, Evidence
    from irbox.cases.transfer import CaseTransfer
    from irbox.identity.principal import Actor

MAX_FIELD = 10_000  # bytes of a non-file field (the description)
MAX_PARTS = 16


class FormPart:
    def __init__(self, segment: MultipartSegment) -> None:
        self.name: str = segment.name or ""
        self.filename: str | None = segment.filename
        self.content_type: str | None = segment.content_type
        self.value = bytearray()


class StreamedForm:
    """Feeds file bytes to `on_file_data(part, chunk)` as they arrive; keeps other fields."""

    def __init__(self, content_type: str | None, on_file_data: Callable[[FormPart, bytes], None]):
        kind, params = parse_options_header(content_type or "")
        self.boundary = params.get("boundary")
        if kind != "multipart/form-data" or not self.boundary:
            raise ValidationFailed(
                "expected a multipart/form-data upload", {"body": "multipart/form-data needed"}
            )
        self.on_file_data = on_file_data
        self.fields: dict[str, str] = {}
        self.files: list[FormPart] = []

    async def consume(self, chunks: AsyncIterator[bytes]) -> None:
        part: FormPart | None = None
        try:
            with PushMultipartParser(self.boundary, max_segment_count=MAX_PARTS) as parser:
                async for chunk in chunks:
                    for event in parser.parse(chunk):
                        part = self._event(part, event)
                    if parser.closed:
                        break
                for event in parser.parse(b""):  # end of input: raises if truncated
                    part = self._event(part, event)
        except MultipartError as exc:
            raise ValidationFailed("malformed multipart body", {"body": str(exc)}) from None

    def _event(
        self, part: FormPart | None, event: MultipartSegment | bytes | None
    ) -> FormPart | None:
        if isinstance(event, MultipartSegment):
            part = FormPart(event)
            if part.filename is not None:
                self.files.append(part)
            return part
        if part is None:
            return None
        if event:  # a chunk of the current part's body
            if part.filename is not None:
                self.on_file_data(part, event)
            elif len(part.value) + len(event) <= MAX_FIELD:
                part.value.extend(event)
            else:
                raise ValidationFailed("a form field is too long", {part.name: "too long"})
            return part
        if part.filename is None:  # end of a plain field
            self.fields[part.name] = part.value.decode("utf-8", "replace")
        return None


async def upload_evidence(
    evidence: EvidenceService,
    case_id: str,
    content_type: str | None,
    body: AsyncIterator[bytes],
    actor: Actor,
) -> Evidence:
    """The one upload rule, for the API and the case page alike: exactly one file, in the field
    `file`, and an optional `description`. Its bytes go straight to the evidence store; a form
    with another file field or a second file is refused, and nothing of it is kept."""
    upload = evidence.begin(case_id)  # 404 or 409 before a byte is read
    files: list[FormPart] = []

    def on_file_data(part: FormPart, chunk: bytes) -> None:
        if part.name != "file":
            raise ValidationFailed("unexpected file field", {part.name: "only `file`"})
        if not files or files[-1] is not part:
            if files:
                raise ValidationFailed("one file per upload", {"file": "more than one"})
            files.append(part)
        upload.write(chunk)

    try:
        form = StreamedForm(content_type, on_file_data)
        await form.consume(body)
        part = next((f for f in form.files if f.name == "file"), None)
        if part is None:
            raise ValidationFailed("no file", {"file": "required"})
        description = form.fields.get("description", "")
        return await evidence.finish(
            upload, case_id, part.filename, part.content_type, description, actor
        )
    except BaseException:
        upload.abort()
        raise


async def import_case(
    transfer: CaseTransfer, content_type: str | None, body: AsyncIterator[bytes], actor: Actor
) -> Case:
    """A case archive, as the request's whole body (the API) or as the `file` of a form (the
    page), streamed to a temp file (at most the archive limit) and imported; the temp file
    goes either way."""
    upload = transfer.new_archive()
    try:
        if (content_type or "").startswith("multipart/form-data"):
            form = StreamedForm(content_type, lambda part, chunk: upload.write(chunk))
            await form.consume(body)
        else:
            async for chunk in body:
                upload.write(chunk)
        upload.file.close()
        if not upload.size:
            raise ValidationFailed("no archive", {"body": "the case archive (a zip file)"})
        return await transfer.import_archive(upload.path, actor)
    finally:
        upload.abort()
