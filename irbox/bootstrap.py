"""Initialise a data dir: folders, schema, and the first admin (whose login is shown once)."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import msgspec

from irbox.cases import template_files
from irbox.cases.templates import TemplateService
from irbox.config import Config
from irbox.identity.auth_cache import AuthCache
from irbox.identity.principal import SYSTEM
from irbox.identity.users import (
    FIRST_ADMIN_EMAIL,
    FIRST_PASSWORD_FILE,
    UserCreate,
    UserService,
)
from irbox.store import engine
from irbox.store import settings as settings_table
from irbox.store import users as users_table
from irbox.store.database import Database
from irbox.store.writer import Writer


class FirstLogin(msgspec.Struct):
    email: str
    password_file: str  # the generated password, 0600, removed when it is changed


def make_private(data_dir: Path) -> None:
    """The data dir and its folders 0700, the files at its top 0600: a data dir written by an
    older irbox (or under a looser umask) is tightened at each start. Evidence and reports
    were always written 0600."""
    for path in (data_dir, data_dir / "attachments", data_dir / "reports"):
        if path.is_dir():
            path.chmod(0o700)
    for path in data_dir.iterdir():
        if path.is_file() and not path.is_symlink():
            path.chmod(0o600)


STARTER_TEMPLATES_SETTING = "starter_templates_installed"


def install_starter_templates(db: Database, writer: Writer) -> None:
    """The starter templates, once per data dir (new, or made by an irbox without them): a
    template an admin deleted stays deleted. Installing again after a crash half-way
    replaces the ones already there by name."""
    if db.read(lambda conn: settings_table.get(conn, STARTER_TEMPLATES_SETTING)):
        return
    starter = [
        template_files.parse(name, content) for name, content in template_files.starter_set()
    ]
    asyncio.run(TemplateService(db, writer).put_by_name(starter, SYSTEM))
    writer.run_sync(lambda conn: settings_table.put(conn, STARTER_TEMPLATES_SETTING, "1"))


def initialise(config: Config) -> FirstLogin | None:
    """Idempotent. Returns the first admin's login when this call created it, else None."""
    for sub in ("", "attachments", "reports"):
        (config.data_path / sub).mkdir(mode=0o700, parents=True, exist_ok=True)
    make_private(config.data_path)
    engine.migrate(config)
    db = engine.open_database(config)
    writer = engine.open_writer(config)
    try:
        install_starter_templates(db, writer)
        if db.read(users_table.count) > 0:
            return None
        users = UserService(db, writer, AuthCache())
        created = asyncio.run(
            users.create(UserCreate(email=FIRST_ADMIN_EMAIL, role="admin", name="Admin"), SYSTEM)
        )
        assert created.password is not None
        writer.run_sync(
            lambda conn: users_table.update(conn, created.user.id, {"must_change_password": 1})
        )
        # A file, not the terminal: under systemd the journal would keep it for good.
        path = config.data_path / FIRST_PASSWORD_FILE
        with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as fh:
            fh.write(created.password + "\n")
        return FirstLogin(created.user.email, str(path))
    finally:
        writer.close()
        db.close()
