"""`irbox reindex`: rebuild the DuckDB observable index from the database (the server must be
stopped: DuckDB lets one process hold the file)."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from irbox.cli.common import CommandError, config_from, open_services
from irbox.index.database import IndexDatabase, IndexLocked
from irbox.index.rebuild import rebuild
from irbox.store.data_lock import DataDirInUse, held


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    p = sub.add_parser("reindex", help="rebuild the observable index from the database")
    common(p)
    p.set_defaults(run=run_reindex)


def run_reindex(args: argparse.Namespace) -> int:
    config = config_from(args)
    # open_services checks the data dir and applies pending migrations
    with open_services(config) as services:
        try:
            with held(config.data_path):
                IndexDatabase(config.index_path).close()
                result = rebuild(services.db, config.index_path, config.index_memory_mb)
        except (IndexLocked, DataDirInUse):
            raise CommandError("the index is in use: stop the irbox server first") from None
    print(
        f"reindexed {result.alerts} alerts and {result.case_observables} case observables"
        f" ({result.sightings} sightings) in {result.seconds} s"
    )
    return 0
