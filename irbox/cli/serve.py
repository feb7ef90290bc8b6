"""`irbox serve` and `irbox init`."""

from __future__ import annotations

import argparse
from collections.abc import Callable

from irbox.bootstrap import FIRST_ADMIN_EMAIL, FirstLogin, initialise
from irbox.cli.common import CommandError, config_from
from irbox.config import Config
from irbox.store.data_lock import DataDirInUse, hold


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    p = sub.add_parser("serve", help="start the server (initialises an empty data dir)")
    common(p)
    p.add_argument("--listen", metavar="HOST:PORT", help="address to listen on (or IRBOX_LISTEN)")
    p.set_defaults(run=run_serve)

    p = sub.add_parser("init", help="initialise the data dir without serving (idempotent)")
    common(p)
    p.set_defaults(run=run_init)


def _print_login(config: Config, login: FirstLogin) -> None:
    print(
        f"irbox: initialised {config.data_dir}\n"
        f"  first admin:  {login.email}\n"
        f"  password:     {login.password}\n"
        "  (shown once; change it after signing in: Settings > Your password)\n"
        f"  API key:      irbox apikey create --data-dir {config.data_dir}"
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
    login = initialise(config)
    if login:
        _print_login(config, login)
    else:
        print(
            f"irbox: sign in as {FIRST_ADMIN_EMAIL} with the password shown at first start"
            f" (new one: irbox user reset-password --data-dir {config.data_dir}"
            f" --email {FIRST_ADMIN_EMAIL})"
        )
    print(f"irbox: serving {config.public_url} (listening on {config.listen})", flush=True)
    serve(config)
    return 0
