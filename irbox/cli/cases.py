"""`irbox case import FILE` and `irbox case export CASE_ID --out FILE`: a case handed between
sites as an archive, for the site whose irbox no network reaches."""

from __future__ import annotations

import argparse
import asyncio
import shutil
from collections.abc import Callable
from pathlib import Path

from irbox.cli.common import CommandError, config_from, open_services
from irbox.identity.principal import SYSTEM


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    case = sub.add_parser("case", help="hand cases between sites").add_subparsers(
        dest="case_command", required=True, metavar="ACTION"
    )
    p = case.add_parser("import", help="recreate a case from an archive (a new case number)")
    common(p)
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=run_import)
    p = case.add_parser("export", help="write a case as an archive (evidence, report, manifest)")
    common(p)
    p.add_argument("case_id", metavar="CASE_ID")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    path = Path(args.file)
    if not path.is_file():
        raise CommandError(f"cannot read {path}: no such file")
    with open_services(config_from(args)) as services:
        case = asyncio.run(services.transfer.import_archive(path, SYSTEM))
    print(f"imported case #{case.number} {case.id}: {case.title}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        archive = services.transfer.export(args.case_id)
    try:
        shutil.move(archive, args.out)
    except OSError as exc:
        archive.unlink(missing_ok=True)
        raise CommandError(f"cannot write {args.out}: {exc.strerror}") from None
    print(args.out)
    return 0
