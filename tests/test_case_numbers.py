"""Case numbers: one after another with no gap or repeat, also when two irbox processes write
to one PostgreSQL database at the same time (each with its own writer): the counter row makes
their transactions take turns."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from irbox.cases.models import CaseCreate
from irbox.identity.principal import SYSTEM
from irbox.services import Services
from tests.harness import Server
from tests.postgres import PostgresCluster


def test_two_writers_never_hand_out_one_number_twice(
    tmp_path: Path, postgres: PostgresCluster
) -> None:
    url = postgres.fresh_database()
    nodes = [Server(tmp_path / f"node{n}", database_url=url) for n in (1, 2)]
    for node in nodes:
        node.cli("init")
    services = [Services(node.config()) for node in nodes]

    def open_cases(node: Services, n: int) -> list[int]:
        async def all_of_them() -> list[int]:
            made = [
                node.cases.create(CaseCreate(title=f"case {i}", severity="low"), SYSTEM)
                for i in range(n)
            ]
            return [case.number for case in await asyncio.gather(*made)]

        return asyncio.run(all_of_them())

    try:
        with ThreadPoolExecutor(2) as pool:
            numbers = [f.result() for f in [pool.submit(open_cases, s, 40) for s in services]]
    finally:
        for node in services:
            node.close()
    together = sorted(numbers[0] + numbers[1])
    assert together == list(range(1, 81))
