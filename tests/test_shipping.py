"""What ships beside the code: the example config and the systemd unit."""

from __future__ import annotations

import re
import shutil
import subprocess
import tomllib
from pathlib import Path

from irbox.config import KEYS, Config, load_config

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_documents_every_key_with_its_default(tmp_path: Path) -> None:
    """Every key is there with its default, set or commented out (`# key = value`: keys an
    operator should leave to follow others, like public_url following listen)."""
    path = ROOT / "config.example.toml"
    text = path.read_text()
    assert {"data_dir", "public_url"} <= set(re.findall(r"^# (\w+) = ", text, re.M))
    uncommented = tmp_path / "all.toml"
    uncommented.write_text(re.sub(r"^# (\w+ = )", r"\1", text, flags=re.M))
    assert set(tomllib.loads(uncommented.read_text())) == set(KEYS)
    assert load_config(path, environ={}) == Config()
    assert load_config(uncommented, environ={}) == Config()
    # Only `listen` edited: links follow it.
    edited = tmp_path / "listen.toml"
    edited.write_text(text.replace('listen = "127.0.0.1:8080"', 'listen = "127.0.0.1:9443"'))
    assert load_config(edited, environ={}).public_url == "http://127.0.0.1:9443"


def test_systemd_unit_is_hardened_and_verifies(tmp_path: Path, built_binary: Path) -> None:
    unit = (ROOT / "systemd" / "irbox.service").read_text()
    for line in (
        "User=irbox",
        "StateDirectory=irbox",
        "NoNewPrivileges=yes",
        "ProtectSystem=strict",
        "PrivateTmp=yes",
        "Restart=on-failure",
        "KillSignal=SIGTERM",
        "Environment=IRBOX_DATA_DIR=/var/lib/irbox",
    ):
        assert line in unit.splitlines(), line
    analyze = shutil.which("systemd-analyze")
    if analyze:  # verify needs the ExecStart binary to exist: point it at the built one
        local = tmp_path / "irbox.service"
        local.write_text(unit.replace("/usr/local/bin/irbox", str(built_binary)))
        result = subprocess.run([analyze, "verify", str(local)], capture_output=True, text=True)
        assert result.returncode == 0 and not result.stderr.strip(), result.stderr


def test_backup_timer_units_verify(tmp_path: Path, built_binary: Path) -> None:
    service = (ROOT / "systemd" / "irbox-backup.service").read_text()
    timer = (ROOT / "systemd" / "irbox-backup.timer").read_text()
    assert "irbox backup" in service and "OnCalendar=" in timer and "Persistent=true" in timer
    analyze = shutil.which("systemd-analyze")
    if analyze:
        local = tmp_path / "irbox-backup.service"
        local.write_text(service.replace("/usr/local/bin/irbox", str(built_binary)))
        (tmp_path / "irbox-backup.timer").write_text(timer)
        for unit in (local, tmp_path / "irbox-backup.timer"):
            result = subprocess.run([analyze, "verify", str(unit)], capture_output=True, text=True)
            assert result.returncode == 0 and not result.stderr.strip(), result.stderr
