"""The package as users install it: a wheel built from this tree, installed into a clean
virtualenv (not editable), serves, resolves a case and renders its report, and has every file
it reads at run time (report templates, the favicon, the vendored scripts)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import httpx

from tests.harness import Server

ROOT = Path(__file__).resolve().parent.parent


def _build_wheel(out: Path) -> Path:
    """From a copy of the tree's sources: a `build/` folder left by an earlier build would
    hand setuptools files the package-data list no longer names."""
    source = out.parent / "source"
    source.mkdir()
    for name in ("irbox", "pyproject.toml", "README.md"):
        copy = shutil.copytree if (ROOT / name).is_dir() else shutil.copy
        copy(ROOT / name, source / name, **(
            {"ignore": shutil.ignore_patterns("__pycache__")} if copy is shutil.copytree else {}
        ))  # fmt: skip
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(source)],
        check=True, timeout=300,
    )  # fmt: skip
    return next(out.glob("irbox-*.whl"))


def _clean_venv(where: Path, wheel: Path) -> Path:
    """A new virtualenv with the wheel installed; its dependencies come from this one's
    site-packages (added after its own, so the wheel's irbox is the one imported): no
    network, and not this tree's editable install."""
    venv.create(where, with_pip=False)
    python = where / "bin" / "python"
    site = subprocess.run(
        [python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    Path(site, "zz_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", site, str(wheel)],
        check=True, timeout=300,
    )  # fmt: skip
    return python


def test_the_wheel_carries_every_runtime_file(tmp_path: Path) -> None:
    wheel = _build_wheel(tmp_path / "dist")
    names = set(zipfile.ZipFile(wheel).namelist())
    in_tree = {
        str(p.relative_to(ROOT))
        for p in (ROOT / "irbox").rglob("*")
        if p.is_file() and p.suffix not in (".py", ".pyc") and "__pycache__" not in p.parts
    }
    assert in_tree - names == set()


def test_an_installed_wheel_serves_and_reports(tmp_path: Path) -> None:
    python = _clean_venv(tmp_path / "venv", _build_wheel(tmp_path / "dist"))
    where = subprocess.run(
        [python, "-c", "import irbox; print(irbox.__file__)"],
        capture_output=True, text=True, check=True, cwd=tmp_path,
    ).stdout  # fmt: skip
    assert str(tmp_path / "venv") in where and str(ROOT) not in where
    server = Server(tmp_path / "data", command=[str(python), "-m", "irbox"])
    server.env["PYTHONSAFEPATH"] = "1"  # never this tree from the working directory
    try:
        server.start()
        assert httpx.get(server.url + "/healthz").json()["status"] == "ok"
        assert httpx.get(server.url + "/static/favicon.svg").status_code == 200
        with server.client(server.token()) as api:
            case_id = api.post("/cases", json={"title": "wheel", "severity": "low"}).json()["id"]
            r = api.post(f"/cases/{case_id}/resolve", json={"verdict": "false_positive"})
            assert r.status_code == 200, r.text
            for fmt in ("md", "html"):
                report = api.get(f"/cases/{case_id}/report", params={"format": fmt})
                assert report.status_code == 200 and "wheel" in report.text
    finally:
        server.kill()
