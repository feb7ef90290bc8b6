"""The `case_observables` table: each (type, value) once per case, with its id (`obs_…`)."""

from __future__ import annotations

from irbox import ids
from irbox.store.database import Connection, Row


def add(
    conn: Connection,
    case_id: str,
    kind: str,
    value: str,
    at: int,
    by: str | None,
    marking: tuple[str, str] = ("amber", "amber"),
) -> str | None:
    """Add unless present; the new row's id, None when the case had it already. `marking`:
    its (TLP, PAP)."""
    observable_id = ids.new_id("obs")
    cur = conn.execute(
        "INSERT INTO case_observables"
        " (id, case_id, type, value, first_seen, added_by, tlp, pap)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (observable_id, case_id, kind, value, at, by, *marking),
    )
    return observable_id if cur.rowcount == 1 else None


def get(conn: Connection, case_id: str, observable_id: str) -> Row | None:
    return conn.execute(
        "SELECT id, type, value, first_seen, added_by FROM case_observables"
        " WHERE id = ? AND case_id = ?",
        (observable_id, case_id),
    ).fetchone()


def remove(conn: Connection, observable_id: str) -> None:
    conn.execute("DELETE FROM case_observables WHERE id = ?", (observable_id,))


def id_of(conn: Connection, case_id: str, kind: str, value: str) -> str | None:
    row = conn.execute(
        "SELECT id FROM case_observables WHERE case_id = ? AND type = ? AND value = ?",
        (case_id, kind, value),
    ).fetchone()
    return row[0] if row else None


def for_case(conn: Connection, case_id: str) -> list[Row]:
    return conn.execute(
        "SELECT id, type, value, first_seen, added_by, tlp, pap FROM case_observables"
        " WHERE case_id = ?"
        " ORDER BY first_seen, id",  # ids are time-ordered: the order they were added
        (case_id,),
    ).fetchall()


def count_by_type(conn: Connection) -> dict[str, int]:
    rows = conn.execute("SELECT type, count(*) FROM case_observables GROUP BY type")
    return {kind: n for kind, n in rows}


def move(conn: Connection, observable_id: str, to_case: str) -> None:
    conn.execute("UPDATE case_observables SET case_id = ? WHERE id = ?", (to_case, observable_id))
