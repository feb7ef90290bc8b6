"""Directory users between sign-ins: every `ldap_review_every_s` the service account reads each
directory user's entry and groups again, so that someone taken out of the groups (or out of the
directory) loses access now, not at a next sign-in they will never make. Out of every mapped
group: suspended (`users.SUSPENDED`): sessions end, API keys are refused, their cases go back
to the pool, a seat is freed; the directory mapping them again (this review, or their sign-in)
restores them. In another group: the new role, which their keys follow too. A directory that
cannot be asked changes nothing, and the last active admin is never suspended or demoted."""

from __future__ import annotations

import logging

from irbox import clock
from irbox.identity.directory import DirectoryUnavailable
from irbox.identity.principal import SYSTEM
from irbox.identity.users import UserService
from irbox.store import audit
from irbox.store import changes as store_changes
from irbox.store import sessions as sessions_table
from irbox.store import users as users_table
from irbox.store.database import Connection, Row

log = logging.getLogger("irbox.directory")


class DirectoryReview:
    def __init__(self, users: UserService) -> None:
        self.users = users

    def run(self) -> int:
        """Review every directory user an admin has not disabled; how many changed."""
        users, directory = self.users, self.users.directory
        if directory is None or not directory.enabled:
            return 0
        rows = users.db.read(users_table.directory_users)
        if not rows:
            return 0
        try:
            roles = directory.roles_of([row["email"] for row in rows])
        except DirectoryUnavailable:
            return 0  # said in the log; nobody loses access to a directory that is down
        now = clock.now_us()

        def write(conn: Connection) -> int:
            changed = sum(
                _apply(self.users, conn, row["id"], roles.get(row["email"]), now) for row in rows
            )
            if changed:
                store_changes.announce(conn, store_changes.AUTH)  # other nodes' caches
            return changed

        changed = users.writer.run_sync(write)
        if changed:
            users.cache.clear()
            users.on_change()  # the seats
        return changed


def _apply(users: UserService, conn: Connection, user_id: str, role: str | None, now: int) -> bool:
    """Bring one user in line with the directory's answer; whether anything changed."""
    row = users_table.get(conn, user_id)
    if row is None or row["auth_source"] != "directory" or row["disabled"] == users_table.DISABLED:
        return False  # changed by an admin meanwhile
    if role is None:
        if row["disabled"] == users_table.SUSPENDED or _last_admin(conn, row):
            return False
        users_table.update(conn, user_id, {"disabled": users_table.SUSPENDED, "updated_at": now})
        sessions_table.delete_for_user(conn, user_id)
        users.on_lost_work(conn, user_id, "out of the directory's groups", SYSTEM, now)
        audit.record(conn, SYSTEM.who, "user.directory_no_group", user_id, now)
        return True
    if (row["role"], row["disabled"]) == (role, 0):
        return False
    if role != "admin" and _last_admin(conn, row):
        return False
    changes = {"role": role, "disabled": 0}
    users_table.update(conn, user_id, {**changes, "updated_at": now})
    audit.record(conn, SYSTEM.who, "user.update", user_id, now, {**changes, "source": "directory"})
    if role == "viewer":
        users.on_lost_work(conn, user_id, "user made a viewer", SYSTEM, now)
    return True


def _last_admin(conn: Connection, row: Row) -> bool:
    if row["role"] != "admin" or row["disabled"]:
        return False
    if len(users_table.active_admins(conn)) > 1:
        return False
    log.warning("directory: %s is irbox's last active admin; left as they are", row["email"])
    return True
