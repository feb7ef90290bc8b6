"""Which backend a config names, and its parts: the schema brought up to date, the reads, the
writer. The appliance's default is SQLite in the data dir; `database_url` names PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Protocol

from irbox.config import Config
from irbox.store.database import Connection, Database
from irbox.store.writer import Writer

Committed = Callable[[int, float], None]
# Each backend is imported when a config names it: an appliance on SQLite never loads psycopg
# (nor libpq), one on PostgreSQL never opens a SQLite file.


def is_postgresql(config: Config) -> bool:
    return bool(config.database_url)


def with_password(url: str, password: str | None) -> str:
    from irbox.store.postgres.connection import with_password

    return with_password(url, password)


def conninfo(config: Config) -> str:
    """The PostgreSQL connection string, with the password read from its file when one is
    set (never written anywhere by irbox)."""
    password_file = config.database_password_file
    password = Path(password_file).read_text().strip() if password_file else None
    return with_password(config.database_url, password)


def initialised(config: Config) -> bool:
    """Whether `irbox init` made this appliance's database."""
    if is_postgresql(config):
        from irbox.store.postgres.migrate import has_schema

        return has_schema(conninfo(config))
    return config.db_path.exists()


def migrate(config: Config) -> list[str]:
    """Bring the schema up to date; the migrations applied, by name."""
    if is_postgresql(config):
        from irbox.store.postgres import migrate as pg_migrate

        return pg_migrate.migrate(conninfo(config))
    from irbox.store.sqlite import migrate as sqlite_migrate

    return sqlite_migrate.migrate(config.db_path)


def open_database(config: Config) -> Database:
    if is_postgresql(config):
        from irbox.store.postgres.database import PgDatabase

        return PgDatabase(conninfo(config))
    from irbox.store.sqlite.database import SqliteDatabase

    return SqliteDatabase(config.db_path)


def open_writer(config: Config, on_commit: Committed = lambda writes, seconds: None) -> Writer:
    if is_postgresql(config):
        from irbox.store.postgres import writer as pg_writer

        return pg_writer.open_writer(conninfo(config), on_commit=on_commit)
    from irbox.store.sqlite import writer as sqlite_writer

    return sqlite_writer.open_writer(config.db_path, on_commit=on_commit)


def writable(conn: Connection) -> bool:
    """Whether the database takes writes now (a PostgreSQL standby, or a primary told to be
    read-only, does not)."""
    if conn.dialect != "postgresql":
        return True
    return bool(
        conn.execute(
            "SELECT NOT pg_is_in_recovery()"
            " AND current_setting('default_transaction_read_only') = 'off'"
        ).fetchone()[0]
    )


class Closing(Protocol):
    def close(self) -> None: ...


def listen(config: Config, callbacks: Mapping[str, Callable[[], object]]) -> Closing | None:
    """Hear of other processes' changes (`store.changes`) on PostgreSQL; None on SQLite, where
    one process serves the file."""
    if not is_postgresql(config):
        return None
    from irbox.store.postgres.listen import ChangeListener

    return ChangeListener(conninfo(config), callbacks)


def integrity(conn: Connection) -> str:
    """ "ok", or what the engine's own check of its files found (PostgreSQL checks its pages
    itself, with data checksums where the cluster has them)."""
    if conn.dialect == "postgresql":
        return "ok"
    from irbox.store.sqlite.connection import integrity_check

    return integrity_check(conn)  # type: ignore[arg-type]
