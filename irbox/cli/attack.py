"""`irbox attack import FILE`: replace the ATT&CK catalogue from an official STIX bundle."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from irbox.attack.catalogue import save
from irbox.attack.stix import StixError, catalogue_from_bundle
from irbox.cli.common import CommandError, config_from, file_command, read_input


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    group = ("attack", "the MITRE ATT&CK catalogue")
    action = ("import", "import an enterprise-attack-*.json STIX bundle")
    file_command(sub, common, group, action, run_import)


def run_import(args: argparse.Namespace) -> int:
    config = config_from(args)
    source = Path(args.file)
    raw = read_input(args.file)
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
