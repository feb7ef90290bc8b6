"""The `schema_migrations` table and the loop both backends apply their numbered migrations
with: each pending one in its own transaction, recorded in the same transaction."""

from __future__ import annotations

from collections.abc import Callable

from irbox import clock
from irbox.store.database import Connection


def apply_pending(
    conn: Connection,
    available: list[tuple[int, str]],
    run: Callable[[str], None],
    begin: str = "BEGIN",
) -> list[str]:
    """Run `run(name)` for each migration not yet recorded, in order; the names applied."""
    done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations")}
    applied = []
    for version, name in available:
        if version in done:
            continue
        conn.execute(begin)
        try:
            run(name)
            conn.execute(
                "INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, clock.now_us())
            )
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        applied.append(name)
    return applied
