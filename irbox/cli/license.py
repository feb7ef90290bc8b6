"""`irbox license install FILE`: verify a license and install it; the server applies it within
a minute (it watches the file), or at once through `PUT /api/v1/license`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from irbox.cli.common import CommandError, config_from, file_command, read_input
from irbox.license.service import read_license, write_atomically
from irbox.license.signing import LicenseInvalid


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    group = ("license", "the license")
    file_command(sub, common, group, ("install", "verify and install a license file"), run_install)


def run_install(args: argparse.Namespace) -> int:
    config = config_from(args)
    raw = read_input(args.file)
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
