"""Upgrading: a data dir written by an older irbox is brought to the current schema at start,
its data kept (migrations in `irbox/store/sqlite/migrations`)."""

from __future__ import annotations

import importlib
import re
import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database

from irbox.store.sqlite import migrations
from irbox.store.sqlite.migrate import available, migrate


def _migrate_through(path: Path, last: int) -> None:
    """The schema as an irbox whose newest migration was `last` left it."""
    db = Database(str(path))
    db.execute(
        "CREATE TABLE schema_migrations"
        " (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"
    )
    for version, name in available():
        if version > last:
            break
        importlib.import_module(f"{migrations.__name__}.{name}").migrate(db)
        db.execute("INSERT INTO schema_migrations VALUES (?, ?, 0)", (version, name))
    db.conn.commit()
    db.conn.close()


Rows = list[tuple[object, ...]]


def _written_by_version(path: Path, last: int, *inserts: tuple[str, Rows]) -> None:
    """A database as an irbox of schema `last` left it, holding the rows of `inserts` (each
    an INSERT statement and its rows)."""
    _migrate_through(path, last)
    conn = sqlite3.connect(path)
    for sql, rows in inserts:
        conn.executemany(sql, rows)
    conn.commit()
    conn.close()


def _read(path: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_case_observables_get_ids(tmp_path: Path) -> None:
    path = tmp_path / "irbox.db"
    rows: Rows = [("case_a", "ip", "203.0.113.4", 2)]
    rows += [("case_a", "domain", "x.test", 1), ("case_b", "ip", "203.0.113.4", 3)]
    insert = (
        "INSERT INTO case_observables (case_id, type, value, first_seen, added_by)"
        " VALUES (?, ?, ?, ?, 'user_x')"
    )
    _written_by_version(path, 8, (insert, rows))

    assert "m0009_case_observable_ids" in migrate(path)

    conn = sqlite3.connect(path)
    got = conn.execute(
        "SELECT id, case_id, type, value FROM case_observables ORDER BY first_seen"
    ).fetchall()
    assert [r[1:] for r in got] == [
        ("case_a", "domain", "x.test"),
        ("case_a", "ip", "203.0.113.4"),
        ("case_b", "ip", "203.0.113.4"),
    ]
    ids = [r[0] for r in got]
    assert all(re.fullmatch(r"obs_[0-9A-HJKMNP-TV-Z]{26}", i) for i in ids)
    assert ids == sorted(ids) and len(set(ids)) == 3  # given in the order they were added
    with pytest.raises(sqlite3.IntegrityError):  # ids are unique
        conn.execute("UPDATE case_observables SET id = ? WHERE case_id = 'case_b'", (ids[0],))
    conn.close()
    assert migrate(path) == []  # nothing left to apply


def test_audit_entries_lose_the_words_of_comment_edits(tmp_path: Path) -> None:
    path = tmp_path / "irbox.db"
    entries: Rows = [
        ("case.comment_edited", '{"comment_id":"cmt_a","previous_body":"password: hunter2"}'),
        ("case.field_changed", '{"field":"title","from":"a","to":"b"}'),
    ]
    _written_by_version(path, 10, (_AUDIT_ENTRY, entries))

    assert "m0011_audit_without_comment_words" in migrate(path)

    assert _read(path, "SELECT action, actor, data FROM audit_log ORDER BY seq") == [
        ("case.comment_edited", "user_x", '{"comment_id":"cmt_a"}'),
        ("case.field_changed", "user_x", '{"field":"title","from":"a","to":"b"}'),
    ]


def test_notes_record_when_they_were_written_as_rfc3339(tmp_path: Path) -> None:
    path = tmp_path / "irbox.db"
    note = '{"added_at":1780390440500000}'
    events = (
        "INSERT INTO case_timeline (case_id, at, type, actor, summary, data)"
        " VALUES ('case_a', ?, ?, 'user_x', 'what happened', ?)"
    )
    _written_by_version(
        path,
        11,
        (events, [(1, "note", note), (2, "created", '{"title":"t"}')]),
        (_AUDIT_ENTRY, [("case.note", note)]),
    )

    assert "m0012_note_times_as_rfc3339" in migrate(path)

    written = '{"added_at":"2026-06-02T08:54:00.5Z"}'
    assert _read(path, "SELECT type, data FROM case_timeline ORDER BY seq") == [
        ("note", written),
        ("created", '{"title":"t"}'),
    ]
    assert _read(path, "SELECT data FROM audit_log") == [(written,)]


_AUDIT_ENTRY = (
    "INSERT INTO audit_log (at, actor, action, entity_id, data)"
    " VALUES (1, 'user_x', ?, 'case_a', ?)"
)


def test_keys_made_by_keys_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "irbox.db"
    insert = (
        "INSERT INTO api_keys (id, user_id, name, token_hash, token_prefix, scopes, created_at)"
        " VALUES ('key_a', 'user_x', 'siem', 'h', 'irbox_x', 'alerts:write', 1)"
    )
    _written_by_version(path, 12, (insert, [()]))

    assert "m0013_keys_made_by_keys" in migrate(path)

    assert _read(path, "SELECT id, parent_key_id FROM api_keys") == [("key_a", None)]


def test_webhook_secrets_are_sealed(tmp_path: Path) -> None:
    from irbox.sealed import SecretBox

    path = tmp_path / "irbox.db"
    insert = (
        "INSERT INTO webhooks (id, url, events, secret, active, created_at, created_by,"
        " updated_at) VALUES ('wh_a', 'http://127.0.0.1:9/', '[\"*\"]', ?, 1, 1, 'user_x', 1)"
    )
    _written_by_version(path, 14, (insert, [("a-plain-secret-of-the-past",)]))

    assert "m0015_sealed_webhook_secrets" in migrate(path)

    (stored,) = _read(path, "SELECT secret FROM webhooks")[0]
    assert "a-plain-secret" not in str(stored)
    assert SecretBox(tmp_path / "secret.key").open(str(stored)) == "a-plain-secret-of-the-past"
    assert (tmp_path / "secret.key").stat().st_mode & 0o777 == 0o600


def test_case_numbers_go_on_from_the_cases_there(tmp_path: Path) -> None:
    path = tmp_path / "irbox.db"
    case = (
        "INSERT INTO cases (id, number, title, severity, status, tags, attack, created_at,"
        " updated_at) VALUES (?, ?, 'old', 'low', 'open', '[]', '[]', 0, 0)"
    )
    _written_by_version(path, 32, (case, [("case_a", 3), ("case_b", 41)]))
    assert "m0033_counters" in migrate(path)
    from irbox.store import cases
    from irbox.store.sqlite.connection import connect

    conn = connect(path)
    try:
        assert cases.next_number(conn) == 42
        assert cases.next_number(conn) == 43
    finally:
        conn.close()
