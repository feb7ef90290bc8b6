"""`irbox attack import FILE`: replace the ATT&CK catalogue from an official STIX bundle."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from irbox.attack.catalogue import save
from irbox.attack.stix import StixError, catalogue_from_bundle
from irbox.cli.common import CommandError, config_from


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    attack = sub.add_parser("attack", help="the MITRE ATT&CK catalogue").add_subparsers(
        dest="attack_command", required=True, metavar="ACTION"
    )
    p = attack.add_parser("import", help="import an enterprise-attack-*.json STIX bundle")
    common(p)
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=run_import)


def run_import(args: argparse.Namespace) -> int:
    config = config_from(args)
    source = Path(args.file)
    try:
        raw = source.read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {source}: {exc.strerror}") from None
    try:
        catalogue = catalogue_from_bundle(raw, source.name)
    except StixError as exc:
        raise CommandError(f"{source}: {exc}") from None
    if not config.data_path.is_dir():
        raise CommandError(f"no irbox data in {config.data_dir}: run `irbox init` first")
    target = save(catalogue, config.data_path)
    print(
        f"imported ATT&CK {catalogue.version}: {len(catalogue.techniques)} techniques"
        f" into {target}; restart irbox to use it"
    )
    return 0
