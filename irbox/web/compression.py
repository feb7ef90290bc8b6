"""Request bodies sent compressed (`Content-Encoding: gzip` or `deflate`): log forwarders such as
Fluent Bit, Vector and Logstash compress what they post. A JSON body is inflated here, bounded
by the JSON body limit counted after inflating (a small "zip bomb" cannot grow past it), and
handed on with its real length, so every route and the ingest fast path see a plain body.
Other bodies (uploads are streamed, never held whole) and other encodings are refused with 415."""

from __future__ import annotations

import zlib

from irbox.web import asgi
from irbox.web.errors import error_body

# zlib's window bits: 31 reads a gzip member, 15 a zlib stream (HTTP's "deflate", RFC 9110).
WBITS = {"gzip": 31, "x-gzip": 31, "deflate": 15}


class CompressedBody:
    def __init__(self, app: asgi.ASGIApp, max_json: int) -> None:
        self.app = app
        self.max_json = max_json

    async def __call__(self, scope: asgi.Scope, receive: asgi.Receive, send: asgi.Send) -> None:
        encoding = asgi.header(scope, b"content-encoding") if scope["type"] == "http" else None
        encoding = encoding.strip().lower() if encoding is not None else "identity"
        if encoding == "identity":
            await self.app(scope, receive, send)
            return
        wbits = WBITS.get(encoding)
        if wbits is None or not asgi.is_json(scope):
            details = {"Content-Encoding": "gzip or deflate, on a JSON body only"}
            await asgi.send_bytes(send, 415, error_body("validation_error", "unsupported", details))
            return
        body, status, problem = await self._inflate(receive, wbits)
        if body is None:
            code = "payload_too_large" if status == 413 else "validation_error"
            await asgi.send_bytes(send, status, error_body(code, problem, {"body": problem}))
            return
        headers = [
            (name, value)
            for name, value in scope["headers"]
            if name not in (b"content-encoding", b"content-length")
        ]
        headers.append((b"content-length", str(len(body)).encode()))
        await self.app({**scope, "headers": headers}, asgi.replay_body(body, receive), send)

    async def _inflate(self, receive: asgi.Receive, wbits: int) -> tuple[bytes | None, int, str]:
        """(the body, 200, "") or (None, the status, what is wrong)."""
        inflater = zlib.decompressobj(wbits)
        parts: list[bytes] = []
        size = sent = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return None, 400, "the client went away"
            chunk = message.get("body", b"")
            sent += len(chunk)
            try:
                out = inflater.decompress(chunk, self.max_json + 1 - size)
            except zlib.error:
                return None, 400, "the body is not valid compressed data"
            size += len(out)
            if size > self.max_json or inflater.unconsumed_tail or sent > self.max_json:
                return None, 413, f"the body is over {self.max_json} bytes once inflated"
            parts.append(out)
            if inflater.eof and inflater.unused_data:
                return None, 400, "data after the end of the compressed body"
            if not message.get("more_body", False):
                break
        if not inflater.eof:
            return None, 400, "the compressed body is cut short"
        return b"".join(parts), 200, ""
