"""Streaming multipart/form-data: parts are parsed as the body arrives (python-multipart), the
`file` part goes straight into the evidence upload, so a 50 MB file is never held in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from python_multipart.multipart import MultipartParser, parse_options_header

from irbox.errors import ValidationFailed

MAX_FIELD = 10_000  # bytes of a non-file field (the description)


class FormPart:
    def __init__(self) -> None:
        self.headers: dict[bytes, bytes] = {}
        self.name = ""
        self.filename: str | None = None
        self.content_type: str | None = None
        self.value = bytearray()


class StreamedForm:
    """Feeds file bytes to `on_file_data(part, chunk)` as they arrive; keeps other fields."""

    def __init__(self, content_type: str | None, on_file_data: Callable[[FormPart, bytes], None]):
        kind, params = parse_options_header(content_type or "")
        boundary = params.get(b"boundary")
        if kind != b"multipart/form-data" or not boundary:
            raise ValidationFailed(
                "expected a multipart/form-data upload", {"body": "multipart/form-data needed"}
            )
        self.on_file_data = on_file_data
        self.fields: dict[str, str] = {}
        self.files: list[FormPart] = []
        self._part: FormPart | None = None
        self._header_field = bytearray()
        self._header_value = bytearray()
        self._parser = MultipartParser(
            boundary,
            {
                "on_part_begin": self._begin,
                "on_part_data": self._data,
                "on_part_end": self._end,
                "on_header_field": lambda d, s, e: self._header_field.extend(d[s:e]),
                "on_header_value": lambda d, s, e: self._header_value.extend(d[s:e]),
                "on_header_end": self._header_end,
                "on_headers_finished": self._headers_done,
            },
        )

    async def consume(self, chunks: AsyncIterator[bytes]) -> None:
        async for chunk in chunks:
            self._parser.write(chunk)
        self._parser.finalize()

    def _begin(self) -> None:
        self._part = FormPart()

    def _header_end(self) -> None:
        assert self._part is not None
        self._part.headers[bytes(self._header_field).lower()] = bytes(self._header_value)
        self._header_field.clear()
        self._header_value.clear()

    def _headers_done(self) -> None:
        part = self._part
        assert part is not None
        _, params = parse_options_header(part.headers.get(b"content-disposition", b""))
        part.name = params.get(b"name", b"").decode("utf-8", "replace")
        if b"filename" in params:
            part.filename = params[b"filename"].decode("utf-8", "replace")
            part.content_type = part.headers.get(b"content-type", b"").decode("latin-1") or None
            self.files.append(part)

    def _data(self, data: bytes, start: int, end: int) -> None:
        part = self._part
        assert part is not None
        if part.filename is not None:
            self.on_file_data(part, data[start:end])
        elif len(part.value) + end - start <= MAX_FIELD:
            part.value.extend(data[start:end])
        else:
            raise ValidationFailed("a form field is too long", {part.name: "too long"})

    def _end(self) -> None:
        part = self._part
        if part is not None and part.filename is None:
            self.fields[part.name] = part.value.decode("utf-8", "replace")
        self._part = None
