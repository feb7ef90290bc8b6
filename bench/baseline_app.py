"""The ceiling for bench/ingest.py: Litestar + msgspec under Granian with irbox's own alert body
model and id maker, storing nothing. Run by the benchmark as
`python bench/baseline_app.py HOST PORT`."""

from __future__ import annotations

import sys

from granian import Granian
from granian.constants import Interfaces, Loops
from litestar import Litestar, Response, post
from litestar.params import JSONBody

from irbox.alerts.models import AlertIn, IngestResult
from irbox.ids import new_id


@post("/api/v1/alerts", status_code=201)
async def ingest(data: JSONBody[AlertIn]) -> Response[IngestResult]:
    return Response(IngestResult(id=new_id("alert"), deduplicated=False, status="triage"))


def load(_: str) -> Litestar:
    return Litestar([ingest], logging_config=None, openapi_config=None)


if __name__ == "__main__":
    host, port = sys.argv[1], int(sys.argv[2])
    Granian(
        "baseline",
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=1,
        loop=Loops.uvloop,
        log_level="warning",
    ).serve(target_loader=load)
