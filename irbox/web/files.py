"""What the API and the pages answer with files: evidence downloads and incident reports, with
the same headers and the same rule for the report's format on both sides."""

from __future__ import annotations

from pathlib import Path
from typing import cast

from litestar import Response
from litestar.background_tasks import BackgroundTask
from litestar.response import File
from litestar.types import FileSystemProtocol

from irbox.cases.evidence import EvidenceService
from irbox.cases.resolution import ResolutionService
from irbox.errors import ValidationFailed

# The report is ours, with inline CSS and no script: nothing else may load in it.
REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
REPORT_FORMATS = {"html": "text/html", "md": "text/markdown"}


def evidence_file(evidence: EvidenceService, case_id: str, attachment_id: str) -> File:
    """An evidence download, streamed from wherever its bytes are (the data dir or a bucket):
    always an attachment, never sniffed, sandboxed if opened."""
    item = evidence.locate(case_id, attachment_id)
    return File(
        path=item.sha256,
        file_system=cast(FileSystemProtocol, evidence.blobs),
        filename=item.filename,
        content_disposition_type="attachment",
        media_type=item.content_type,
        headers={"X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"},
    )


def report_response(
    resolution: ResolutionService, case_id: str, format: str, download: bool = False
) -> Response[str]:
    """A resolved case's report as `format` (html or md: anything else is a 400); `download`
    makes the Markdown one a file to save (the page's link), not a page."""
    if format not in REPORT_FORMATS:
        raise ValidationFailed("unknown report format", {"format": "html or md"})
    text = resolution.report(case_id, markdown=format == "md")
    headers = {"X-Content-Type-Options": "nosniff", "Content-Security-Policy": REPORT_CSP}
    if download and format == "md":
        headers["Content-Disposition"] = f'attachment; filename="{case_id}.md"'
    return Response(text, media_type=REPORT_FORMATS[format], headers=headers)


def case_archive(path: Path, number: int) -> File:
    """A case's export: the temp archive, removed once sent."""
    return File(
        path=path,
        filename=f"case-{number}.zip",
        content_disposition_type="attachment",
        media_type="application/zip",
        headers={"X-Content-Type-Options": "nosniff"},
        background=BackgroundTask(path.unlink, missing_ok=True),
    )
