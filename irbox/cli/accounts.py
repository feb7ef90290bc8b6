"""`irbox user create|list|reset-password|reset-mfa|disable|enable` and
`irbox apikey create|list|revoke`: the accounts an operator manages at the machine (a key leaked
or an account taken over while the UI is out of reach, say)."""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Callable, Sequence

from irbox import clock
from irbox.cli.common import CommandError, config_from, open_services
from irbox.identity.api_keys import ApiKey, ApiKeyCreate
from irbox.identity.principal import SYSTEM
from irbox.identity.scopes import ROLES
from irbox.identity.users import UserCreate, UserPatch
from irbox.store import users as users_table


def register(sub: argparse._SubParsersAction, common: Callable) -> None:
    user = sub.add_parser("user", help="manage users").add_subparsers(
        dest="user_command", required=True, metavar="ACTION"
    )
    p = user.add_parser("create", help="create a user (prints its id, and a password if generated)")
    common(p)
    p.add_argument("--email", required=True)
    p.add_argument("--role", required=True, choices=ROLES)
    p.add_argument("--name", default="")
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(run=run_user_create)

    p = user.add_parser("list", help="list the users: email, role, state, id")
    common(p)
    p.set_defaults(run=run_user_list)

    p = user.add_parser(
        "reset-password", help="set a new password (generated unless --password-stdin)"
    )
    common(p)
    p.add_argument("--email", required=True)
    p.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    p.set_defaults(run=run_reset_password)

    p = user.add_parser(
        "reset-mfa", help="turn a user's two-factor sign-in off (lost phone and codes); signs out"
    )
    common(p)
    p.add_argument("--email", required=True)
    p.set_defaults(run=run_reset_mfa)

    for action, disabled, text in (
        ("disable", True, "disable a user: signed out, keys refused (by a running server in 5 s)"),
        ("enable", False, "enable a disabled user again (their keys work; they sign in anew)"),
    ):
        p = user.add_parser(action, help=text)
        common(p)
        p.add_argument("--email", required=True)
        p.set_defaults(run=run_user_disabled, disabled=disabled)

    apikey = sub.add_parser("apikey", help="manage API keys").add_subparsers(
        dest="apikey_command", required=True, metavar="ACTION"
    )
    p = apikey.add_parser("create", help="create an API key (prints only the token)")
    common(p)
    p.add_argument("--user", required=True, metavar="EMAIL")
    p.add_argument("--name", required=True)
    p.add_argument("--scopes", help="comma-separated (default: all the user's role allows)")
    p.add_argument("--expires-at", metavar="RFC3339")
    p.set_defaults(run=run_apikey_create)

    p = apikey.add_parser("list", help="list the API keys: id, name, owner, scopes, state")
    common(p)
    p.add_argument("--user", metavar="EMAIL", help="only this user's keys")
    p.set_defaults(run=run_apikey_list)

    p = apikey.add_parser(
        "revoke", help="revoke an API key (a running server refuses it within 5 s)"
    )
    common(p)
    p.add_argument("key_id", metavar="KEY_ID")
    p.set_defaults(run=run_apikey_revoke)


def run_user_create(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    data = UserCreate(email=args.email, role=args.role, name=args.name, password=password)
    with open_services(config_from(args)) as services:
        created = asyncio.run(services.users.create(data, SYSTEM))
    print(created.user.id)
    if created.password:
        print(f"password: {created.password}")
    return 0


def _table(header: tuple[str, ...], rows: Sequence[tuple[str, ...]]) -> None:
    """Columns aligned for reading, one row per line (`cut`/`awk` friendly: no value has
    spaces but the last column's)."""
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
    for row in [header, *rows]:
        print("  ".join([*(v.ljust(w) for v, w in zip(row, widths, strict=False)), row[-1]]))


def run_user_list(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        users = services.users.list()
    rows = [(u.email, u.role, "disabled" if u.disabled else "active", u.id, u.name) for u in users]
    _table(("EMAIL", "ROLE", "STATE", "ID", "NAME"), rows)
    return 0


def run_reset_password(args: argparse.Namespace) -> int:
    password = sys.stdin.readline().rstrip("\r\n") if args.password_stdin else None
    with open_services(config_from(args)) as services:
        generated = asyncio.run(services.users.set_password(args.email, password, SYSTEM))
    if generated:
        print(f"password: {generated}")
    return 0


def run_reset_mfa(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        asyncio.run(services.two_factor.reset(args.email, SYSTEM))
    print(f"two-factor sign-in is off for {args.email}; they sign in with their password")
    return 0


def run_user_disabled(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        row = services.db.read(users_table.get_by_email, args.email)
        if row is None:
            raise CommandError(f"no user with email {args.email}")
        patch = UserPatch(disabled=args.disabled)
        user = asyncio.run(services.users.update(row["id"], patch, SYSTEM))
    print(f"{'disabled' if user.disabled else 'enabled'} {user.email}")
    return 0


def run_apikey_create(args: argparse.Namespace) -> int:
    scopes = [s.strip() for s in args.scopes.split(",") if s.strip()] if args.scopes else None
    with open_services(config_from(args)) as services:
        owner = services.db.read(users_table.get_by_email, args.user)
        if owner is None:
            raise CommandError(f"no user with email {args.user}")
        if owner["disabled"]:
            raise CommandError(f"user {args.user} is disabled")
        data = ApiKeyCreate(name=args.name, scopes=scopes, expires_at=args.expires_at)
        created = asyncio.run(services.api_keys.create(owner["id"], data, SYSTEM, allowed=None))
    print(created.token)
    return 0


def run_apikey_list(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        owners = {u.id: u.email for u in services.users.list()}
        owner = None
        if args.user is not None:
            owner = services.db.read(users_table.get_by_email, args.user)
            if owner is None:
                raise CommandError(f"no user with email {args.user}")
        keys = services.api_keys.list(owner["id"] if owner else None)
    now = clock.now_us()

    def state(key: ApiKey) -> str:
        if key.revoked_at:
            return "revoked"
        expires = clock.parse_rfc3339(key.expires_at) if key.expires_at else None
        return "expired" if expires is not None and expires <= now else "active"

    rows = [
        (k.id, owners.get(k.user_id, k.user_id), ",".join(k.scopes), state(k),
         k.last_used_at or "never", k.name)
        for k in keys
    ]  # fmt: skip
    _table(("ID", "OWNER", "SCOPES", "STATE", "LAST USED", "NAME"), rows)
    return 0


def run_apikey_revoke(args: argparse.Namespace) -> int:
    with open_services(config_from(args)) as services:
        key = asyncio.run(services.api_keys.revoke(args.key_id, None))
    print(f"revoked {key.id} ({key.name})")
    return 0
