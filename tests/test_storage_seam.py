"""The engines stay behind their seams: only the SQLite backend (`irbox/store/sqlite/`) imports
sqlite3 or sqlite-utils, only the PostgreSQL backend (`irbox/store/postgres/`) imports psycopg,
only the observable index (`irbox/index/`) imports duckdb, and only the blob stores
(`irbox/store/blobs/`) the S3 client. Everything else speaks to
`store.database`'s `Database`, `Connection` and `Row`, and to the index's own API."""

from __future__ import annotations

import ast
from pathlib import Path

import irbox

PACKAGE = Path(irbox.__file__).parent
OWNERS = {
    "sqlite3": "store/sqlite",
    "sqlite_utils": "store/sqlite",
    "psycopg": "store/postgres",
    "psycopg_pool": "store/postgres",
    "duckdb": "index",
    "minio": "store/blobs",
}


def imported(path: Path) -> set[str]:
    """The top-level names of the modules `path` imports."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


def test_only_a_backend_imports_its_engine() -> None:
    strays = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE).as_posix()
        for name in imported(path) & OWNERS.keys():
            if not where.startswith(OWNERS[name] + "/"):
                strays.append(f"{where} imports {name}")
    assert strays == []


def test_the_check_sees_an_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("import sqlite3.dbapi2\nfrom duckdb import connect\nfrom . import x\n")
    assert imported(module) == {"sqlite3", "duckdb"}
