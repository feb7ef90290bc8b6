"""`irbox migrate --to postgresql://…`: move an appliance's database to PostgreSQL."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from irbox.cli.common import CommandError, config_from, open_services
from irbox.operations.move_database import MoveError, move
from irbox.store import engine
from irbox.store.data_lock import DataDirInUse, held


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    p = sub.add_parser(
        "migrate", help="copy this appliance's SQLite database into an empty PostgreSQL one"
    )
    common(p)
    p.add_argument("--to", required=True, metavar="URL", help="postgresql://user@host:port/db")
    p.add_argument("--password-file", metavar="FILE", help="the database user's password")
    p.set_defaults(run=run_migrate)


def without_password(url: str) -> str:
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    user = parts.username
    return urlunsplit(parts._replace(netloc=f"{user}@{host}" if user else host))


def run_migrate(args: argparse.Namespace) -> int:
    config = config_from(args)
    if config.database_url:
        raise CommandError("this appliance's database is PostgreSQL already (database_url)")
    if urlsplit(args.to).scheme not in ("postgresql", "postgres"):
        raise CommandError(f"--to: expected a postgresql:// URL, got {args.to!r}")
    password = Path(args.password_file).read_text().strip() if args.password_file else None
    url = engine.with_password(args.to, password)
    with open_services(config):  # an initialised data dir, its migrations applied
        pass
    try:
        with held(config.data_path):
            moved = move(config, url)
    except DataDirInUse:
        raise CommandError("the data dir is in use: stop the irbox server first") from None
    except MoveError as exc:
        raise CommandError(str(exc)) from None
    rows = sum(table.rows for table in moved.tables)
    print(
        f"copied {len(moved.tables)} tables ({rows} rows) in {moved.seconds} s;"
        " every table's row count and hash match"
    )
    print(
        f"the index was rebuilt from it ({moved.index.alerts} alerts,"
        f" {moved.index.case_observables} case observables)"
    )
    print("now set in irbox's config, then start irbox:")
    print(f'  database_url = "{without_password(args.to)}"')
    if password or urlsplit(args.to).password:
        print('  database_password_file = "/etc/irbox/database-password"  # 0600, the password')
    print(f"  (the SQLite file {config.db_path} is left as it was; keep it until you are sure)")
    return 0
