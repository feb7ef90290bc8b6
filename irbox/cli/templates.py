"""`irbox template import FILE…` and `irbox template export --out DIR`: case templates carried
between sites as files (TOML or JSON), e.g. into an air-gapped one."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable
from pathlib import Path

from irbox.cases import template_files
from irbox.cli.common import CommandError, config_from, open_services, read_input
from irbox.errors import ValidationFailed
from irbox.identity.principal import SYSTEM


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    template = sub.add_parser("template", help="import and export case templates").add_subparsers(
        dest="template_command", required=True, metavar="ACTION"
    )
    p = template.add_parser(
        "import", help="add templates from TOML or JSON files (one of the same name is replaced)"
    )
    common(p)
    p.add_argument("files", metavar="FILE", nargs="+")
    p.set_defaults(run=run_import)
    p = template.add_parser("export", help="write every template to DIR as a JSON file")
    common(p)
    p.add_argument("--out", required=True, metavar="DIR")
    p.set_defaults(run=run_export)


def run_import(args: argparse.Namespace) -> int:
    """Every file is read and parsed before any is imported: one bad file imports nothing."""
    parsed = []
    for path in args.files:
        try:
            parsed.append((path, template_files.parse(Path(path).name, read_input(path))))
        except template_files.TemplateFileError as exc:
            raise CommandError(str(exc)) from None
    with open_services(config_from(args)) as services:
        put = services.templates.put_by_name([data for _, data in parsed], SYSTEM)
        try:
            done = asyncio.run(put)
        except ValidationFailed as exc:  # `[1].tasks[0].title`: the second file's
            for key, problem in exc.details.items():
                index, _, field = key[1:].partition("].")
                print(f"{Path(parsed[int(index)][0]).name}: {field}: {problem}", file=sys.stderr)
            raise CommandError("no template imported") from None
        for made, created in done:
            print(f"{'created' if created else 'replaced'} {made.id} {made.name}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    with open_services(config_from(args)) as services:
        for template in services.templates.list().items:
            path = out / template_files.file_name(template)
            path.write_bytes(template_files.to_json(template))
            print(path)
    return 0
