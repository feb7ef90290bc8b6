"""`irbox license install FILE`: verify a license and install it; the server applies it within
a minute (it watches the file), or at once through `PUT /api/v1/license`."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path

from irbox.cli.common import CommandError, config_from
from irbox.license.service import read_license, write_atomically
from irbox.license.signing import LicenseInvalid


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    lic = sub.add_parser("license", help="the license").add_subparsers(
        dest="license_command", required=True, metavar="ACTION"
    )
    p = lic.add_parser("install", help="verify and install a license file")
    common(p)
    p.add_argument("file", metavar="FILE")
    p.set_defaults(run=run_install)


def run_install(args: argparse.Namespace) -> int:
    config = config_from(args)
    try:
        raw = Path(args.file).read_bytes()
    except OSError as exc:
        raise CommandError(f"cannot read {args.file}: {exc.strerror}") from None
    try:
        payload, _ = read_license(raw, config.license_public_keys)
    except (LicenseInvalid, ValueError) as exc:
        raise CommandError(f"{args.file} is not a valid irbox license: {exc}") from None
    write_atomically(config.license_path, raw)
    print(
        f"installed license {payload.license_id} for {payload.org}: {payload.tier},"
        f" {payload.seats} seats, expires {payload.expires_at} (into {config.license_path})"
    )
    return 0
