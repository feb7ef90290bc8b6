"""`irbox backup`, `irbox restore` and `irbox check`."""

from __future__ import annotations

import argparse
import os
from collections.abc import Callable
from pathlib import Path

from irbox.cli.common import CommandError, config_from, open_services
from irbox.operations.backup import create_backup
from irbox.operations.check import run_checks
from irbox.operations.restore import RestoreError, restore
from irbox.store.data_lock import DataDirInUse, held


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    p = sub.add_parser("backup", help="archive the data dir (safe while the server runs)")
    common(p)
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(run=run_backup)

    p = sub.add_parser("restore", help="restore an archive made by `irbox backup`")
    common(p)
    p.add_argument("file", metavar="FILE")
    p.add_argument("--force", action="store_true", help="replace a non-empty data dir")
    p.set_defaults(run=run_restore)

    p = sub.add_parser("check", help="self-test of storage, index, evidence and license")
    common(p)
    p.set_defaults(run=run_check)


def run_backup(args: argparse.Namespace) -> int:
    config = config_from(args)
    if config.database_url:
        raise CommandError(
            "irbox backup copies the SQLite appliance; with database_url on PostgreSQL, back the"
            " database up with PostgreSQL's tools and the data dir's files beside it"
            " (docs/operations.md)"
        )
    out = Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"no directory {out.parent} for the backup")
    config_file = args.config or os.environ.get("IRBOX_CONFIG")
    with open_services(config):  # an initialised data dir, migrations applied
        pass
    manifest = create_backup(config, out, Path(config_file) if config_file else None)
    size = sum(f["size"] for f in manifest["files"])
    print(f"backup written to {out}: {len(manifest['files'])} files, {size} bytes")
    if config.blob_url:  # not silently: the archive holds no evidence file
        print(
            f"evidence is in {config.blob_url}, not in this archive: back the bucket up with"
            " the object store's own means (versioning, replication)"
        )
    return 0


def run_restore(args: argparse.Namespace) -> int:
    config = config_from(args)
    if config.database_url:
        raise CommandError("irbox restore brings back a SQLite appliance; unset database_url")
    try:
        with held(config.data_path):
            manifest = restore(Path(args.file), config.data_path, args.force)
    except (RestoreError, DataDirInUse) as exc:
        raise CommandError(str(exc)) from None
    print(
        f"restored {len(manifest['files'])} files from a backup of {manifest['created_at']}"
        f" into {config.data_dir}; the observable index is rebuilt at the next start"
    )
    return 0


def run_check(args: argparse.Namespace) -> int:
    config = config_from(args)
    with open_services(config) as services:
        report = run_checks(config, services)
    for note in report.notes:
        print(f"ok: {note}")
    for problem in report.problems:
        print(f"PROBLEM: {problem}")
    if report.problems:
        raise CommandError(f"{len(report.problems)} problem(s) found")
    print("irbox check: all good")
    return 0
