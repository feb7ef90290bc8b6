"""The `irbox` command: one subcommand per operator task.

Exit status: 0 on success, 2 on bad usage, 1 on failure with one clear line on stderr."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence

from irbox import __version__
from irbox.cli import (
    accounts,
    attack,
    cases,
    database,
    index,
    license,
    operations,
    serve,
    templates,
)
from irbox.cli.common import CommandError, common_options
from irbox.config import ConfigError
from irbox.errors import DomainError


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="irbox", description="irbox incident-response appliance")
    parser.add_argument("--version", action="version", version=f"irbox {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    serve.register(sub, common_options)
    accounts.register(sub, common_options)
    attack.register(sub, common_options)
    index.register(sub, common_options)
    license.register(sub, common_options)
    operations.register(sub, common_options)
    templates.register(sub, common_options)
    cases.register(sub, common_options)
    database.register(sub, common_options)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    # Every file irbox writes (databases and their WAL files, the index, evidence, reports,
    # backups, restored files) is its owner's alone, whatever umask it was started with; the
    # server's worker process inherits this.
    os.umask(0o077)
    args = build_parser().parse_args(argv)
    try:
        return args.run(args) or 0
    except (CommandError, ConfigError) as exc:
        print(f"irbox: {exc}", file=sys.stderr)
    except DomainError as exc:
        fields = "; ".join(f"{k}: {v}" for k, v in exc.details.items())
        print(f"irbox: {exc.message}" + (f" ({fields})" if fields else ""), file=sys.stderr)
    except KeyboardInterrupt:
        print("irbox: interrupted", file=sys.stderr)
    return 1
