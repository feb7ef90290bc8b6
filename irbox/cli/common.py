"""What every command shares: --config and --data-dir, and opening an initialised data dir."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from irbox.config import Config, load_config
from irbox.services import Services
from irbox.store import engine


class CommandError(Exception):
    """A failure to report as one line on stderr (exit status 1)."""


def common_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", metavar="FILE", help="TOML config file (or IRBOX_CONFIG)")
    parser.add_argument("--data-dir", metavar="DIR", help="data directory (or IRBOX_DATA_DIR)")


def config_from(args: argparse.Namespace, **extra: object) -> Config:
    overrides = {"data_dir": args.data_dir, **extra}
    return load_config(args.config, overrides)


@contextmanager
def open_services(config: Config) -> Iterator[Services]:
    """Services over an initialised data dir, without the index (the server owns that file)."""
    if not engine.initialised(config):
        raise CommandError(f"no irbox data in {config.data_dir}: run `irbox init` first")
    engine.migrate(config)
    services = Services(config)
    try:
        yield services
    finally:
        services.close()


def read_input(path: str) -> bytes:
    """The bytes of a file an operator named, or one clear line saying why not."""
    try:
        return Path(path).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from None


def file_command(
    sub: argparse._SubParsersAction,
    common: Callable,
    group: tuple[str, str],
    action: tuple[str, str],
    run: Callable[[argparse.Namespace], int],
) -> None:
    """Register `irbox GROUP ACTION FILE` (e.g. `irbox license install FILE`)."""
    actions = sub.add_parser(group[0], help=group[1]).add_subparsers(
        dest=f"{group[0]}_command", required=True, metavar="ACTION"
    )
    p = actions.add_parser(action[0], help=action[1])
    common(p)
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=run)
