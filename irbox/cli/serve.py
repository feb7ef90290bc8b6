"""`irbox serve` and `irbox init`."""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from irbox.bootstrap import FirstLogin, initialise
from irbox.cli.common import CommandError, config_from
from irbox.config import Config
from irbox.errors import StorageUnavailable
from irbox.identity.users import FIRST_ADMIN_EMAIL
from irbox.store.blobs import open_blob_store
from irbox.store.data_lock import DataDirInUse, hold


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    p = sub.add_parser("serve", help="start the server (initialises an empty data dir)")
    common(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="address to listen on (or IRBOX_LISTEN)")
    p.set_defaults(run=run_serve)

    p = sub.add_parser("init", help="initialise the data dir without serving (idempotent)")
    common(p)
    p.set_defaults(run=run_init)


def _command() -> str:
    """How to run this irbox again, as the operator can type it: `irbox` only where that name
    on PATH is this very program (a venv's or a build's path otherwise)."""
    program = Path(sys.argv[0]).resolve()
    if program.name == "__main__.py":  # python -m irbox
        return f"{sys.executable} -m irbox"
    on_path = shutil.which("irbox")
    if on_path is not None and Path(on_path).resolve() == program:
        return "irbox"
    return shlex.quote(
        os.path.relpath(program) if program.is_relative_to(Path.cwd()) else str(program)
    )


def _print_login(config: Config, login: FirstLogin) -> None:
    irbox = _command()
    print(
        f"irbox: initialised {config.data_dir}\n"
        f"  first admin:  {login.email}\n"
        f"  password:     in {login.password_file} (readable by this user only;"
        " removed once you change it: Settings > Your password)\n"
        f"                cat {shlex.quote(login.password_file)}\n"
        f"  API key:      {irbox} apikey create --data-dir {shlex.quote(config.data_dir)}"
        f" --user {login.email} --name my-key",
        flush=True,
    )


def run_init(args: argparse.Namespace) -> int:
    config = config_from(args)
    login = initialise(config)
    if login:
        _print_login(config, login)
    else:
        print(f"irbox: {config.data_dir} is already initialised")
    return 0


def run_serve(args: argparse.Namespace) -> int:
    from irbox.server import AddressInUse, check_address_free, serve  # needs Granian

    config = config_from(args, listen=args.listen)
    config.data_path.mkdir(parents=True, exist_ok=True)
    try:
        hold(config.data_path)  # for the life of this process (and its worker)
        check_address_free(config.listen_host, config.listen_port)  # before printing a login
    except (DataDirInUse, AddressInUse) as exc:
        raise CommandError(str(exc)) from None
    try:
        open_blob_store(config).check()  # a bucket that is missing or refuses us: say so now
    except StorageUnavailable as exc:
        raise CommandError(str(exc)) from None
    login = initialise(config)
    if login:
        _print_login(config, login)
    else:
        print(
            f"irbox: sign in as {FIRST_ADMIN_EMAIL} (forgotten password: {_command()} user"
            f" reset-password --data-dir {shlex.quote(config.data_dir)}"
            f" --email {FIRST_ADMIN_EMAIL})"
        )
    print(f"irbox: serving {config.public_url} (listening on {config.listen})", flush=True)
    serve(config)
    return 0
