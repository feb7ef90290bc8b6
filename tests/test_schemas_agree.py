"""SQLite's schema (its migrations run in order) and PostgreSQL's (its own migrations) stay the
same: the same tables, columns, nullability, keys, unique constraints and indexes (by name,
with their columns, uniqueness and partial-ness). What only one engine has is named here: the
text index (an FTS5 table on SQLite, a tsvector table on PostgreSQL) and SQLite's own tables.
An index's key is a column, `lower(column)` (SQLite's `column COLLATE NOCASE`), or an
expression (compared as "expression": each engine writes JSON paths its own way)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import psycopg

from irbox.store.postgres.migrate import available
from irbox.store.postgres.migrate import migrate as pg_migrate
from irbox.store.sqlite.connection import connect
from irbox.store.sqlite.migrate import migrate as sqlite_migrate
from tests.postgres import PostgresCluster

# The text index: each engine's own kind of table.
ENGINE_OWN = {"alerts_text"}

Schema = dict[str, dict[str, Any]]


def sqlite_schema(path: Path) -> Schema:
    conn = connect(path)
    tables = [
        name
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        if not name.startswith(("sqlite_", "alerts_text"))
    ]
    schema: Schema = {}
    for table in tables:
        columns = conn.execute(f"PRAGMA table_info('{table}')").fetchall()
        primary = tuple(c["name"] for c in sorted(columns, key=lambda c: c["pk"]) if c["pk"])
        unique, indexes = set(), {}
        for index in conn.execute(f"PRAGMA index_list('{table}')").fetchall():
            names = tuple(
                _sqlite_key(i)
                for i in conn.execute(f"PRAGMA index_xinfo('{index['name']}')")
                if i["key"]
            )
            if index["origin"] == "pk":
                continue
            if index["unique"]:
                unique.add(names)
            if index["origin"] == "c":  # made by CREATE INDEX (not by a constraint)
                indexes[index["name"]] = (names, bool(index["unique"]), bool(index["partial"]))
        schema[table] = {
            "columns": {c["name"]: bool(c["notnull"] or c["name"] in primary) for c in columns},
            "primary key": primary,
            "unique": unique,
            "indexes": indexes,
        }
    conn.close()
    return schema


def _sqlite_key(column: Any) -> str:
    if column["cid"] == -2:
        return "expression"
    return f"lower({column['name']})" if column["coll"] == "NOCASE" else column["name"]


def _postgres_key(definition: str) -> str:
    if re.fullmatch(r"\w+", definition):
        return definition
    return definition if re.fullmatch(r"lower\(\w+\)", definition) else "expression"


def postgres_schema(url: str) -> Schema:
    with psycopg.connect(url) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            )
        ]
        schema: Schema = {}
        for table in tables:
            columns = conn.execute(
                "SELECT column_name, is_nullable = 'NO' FROM information_schema.columns"
                " WHERE table_schema = 'public' AND table_name = %s",
                (table,),
            ).fetchall()
            rows = conn.execute(
                "SELECT i.indexrelid::regclass::text, i.indisunique, i.indisprimary,"
                " i.indpred IS NOT NULL, c.oid IS NOT NULL,"
                " array(SELECT pg_get_indexdef(i.indexrelid, n::int, true)"
                "       FROM generate_series(1, i.indnkeyatts) AS n)"
                " FROM pg_index i LEFT JOIN pg_constraint c ON c.conindid = i.indexrelid"
                " AND c.contype IN ('p', 'u', 'x')"
                " WHERE i.indrelid = %s::regclass",
                (table,),
            ).fetchall()
            primary: tuple[str, ...] = ()
            unique, indexes = set(), {}
            for name, is_unique, is_primary, partial, by_constraint, names in rows:
                names = tuple(_postgres_key(key) for key in names)
                if is_primary:
                    primary = names
                    continue
                if is_unique:
                    unique.add(names)
                if not by_constraint:
                    indexes[name] = (names, is_unique, partial)
            schema[table] = {
                "columns": dict(columns),
                "primary key": primary,
                "unique": unique,
                "indexes": indexes,
            }
    return schema


def test_both_engines_have_the_same_schema(tmp_path: Path, postgres: PostgresCluster) -> None:
    sqlite_migrate(tmp_path / "irbox.db")
    url = postgres.fresh_database()
    pg_migrate(url)
    on_sqlite = sqlite_schema(tmp_path / "irbox.db")
    on_postgres = postgres_schema(url)
    for own in ENGINE_OWN:
        on_postgres.pop(own)
    assert sorted(on_sqlite) == sorted(on_postgres)
    for table in on_sqlite:
        assert on_sqlite[table] == on_postgres[table], table


def test_the_comparison_sees_a_difference(tmp_path: Path, postgres: PostgresCluster) -> None:
    sqlite_migrate(tmp_path / "irbox.db")
    url = postgres.fresh_database()
    pg_migrate(url)
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("ALTER TABLE alerts ALTER COLUMN title DROP NOT NULL")
        conn.execute("DROP INDEX idx_alerts_source_seq")
    on_postgres = postgres_schema(url)["alerts"]
    on_sqlite = sqlite_schema(tmp_path / "irbox.db")["alerts"]
    assert on_postgres["columns"]["title"] is False and on_sqlite["columns"]["title"] is True
    assert "idx_alerts_source_seq" in on_sqlite["indexes"]
    assert "idx_alerts_source_seq" not in on_postgres["indexes"]


def test_a_second_run_applies_nothing(postgres: PostgresCluster) -> None:
    url = postgres.fresh_database()
    assert pg_migrate(url) == [name for _, name in available()]
    assert pg_migrate(url) == []
