"""Config: defaults, TOML, IRBOX_* overrides, validation naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from irbox.config import Config, ConfigError, load_config


def test_defaults_need_no_config() -> None:
    cfg = load_config(environ={})
    assert cfg == Config()
    assert cfg.data_dir == "./data" and cfg.listen == "127.0.0.1:8080"
    assert cfg.public_url == "http://127.0.0.1:8080" and cfg.max_upload_mb == 50
    assert (cfg.rate_limit_per_minute, cfg.rate_limit_burst) == (6000, 1000)
    assert cfg.license_path == Path("data/license.json")


def test_toml_then_env_then_flags(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('max_upload_mb = 10\nlog_level = "debug"\nlicense_public_keys = ["a"]\n')
    env = {"IRBOX_MAX_UPLOAD_MB": "20", "IRBOX_LICENSE_PUBLIC_KEYS": "k1, k2"}
    cfg = load_config(conf, {"data_dir": "/srv/x"}, env)
    assert cfg.max_upload_mb == 20 and cfg.log_level == "debug"
    assert cfg.license_public_keys == ["k1", "k2"] and cfg.data_dir == "/srv/x"
    assert load_config(environ={"IRBOX_CONFIG": str(conf)}).max_upload_mb == 10


def test_public_url_follows_listen_unless_set() -> None:
    assert load_config(environ={"IRBOX_LISTEN": "0.0.0.0:9000"}).public_url == "http://0.0.0.0:9000"
    env = {"IRBOX_LISTEN": "0.0.0.0:9000", "IRBOX_PUBLIC_URL": "https://ir.example.com"}
    assert load_config(environ=env).public_url == "https://ir.example.com"


@pytest.mark.parametrize(
    ("env", "key"),
    [
        ({"IRBOX_MAX_UPLOAD_MB": "0"}, "max_upload_mb"),
        ({"IRBOX_RATE_LIMIT_BURST": "x"}, "rate_limit_burst"),
        ({"IRBOX_LISTEN": "8080"}, "listen"),
        ({"IRBOX_PUBLIC_URL": "ftp://x"}, "public_url"),
        ({"IRBOX_LOG_LEVEL": "loud"}, "log_level"),
        ({"IRBOX_WEBHOOK_TIMEOUT_S": "-1"}, "webhook_timeout_s"),
        ({"IRBOX_INDEX_MEMORY_MB": "0"}, "index_memory_mb"),
        ({"IRBOX_IDEMPOTENCY_LEASE_S": "0.5"}, "idempotency_lease_s"),
    ],
)
def test_bad_values_name_the_key(env: dict[str, str], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(environ=env)
    assert str(info.value).startswith(f"{key}:") and "\n" not in str(info.value)


def test_wrong_type_in_toml_names_the_key(tmp_path: Path) -> None:
    conf = tmp_path / "c.toml"
    conf.write_text('rate_limit_per_minute = "many"\n')
    with pytest.raises(ConfigError, match=r"^rate_limit_per_minute:"):
        load_config(conf, environ={})


def test_index_memory_limit_reaches_duckdb(tmp_path: Path) -> None:
    from irbox.index.database import IndexDatabase

    config = load_config(environ={"IRBOX_INDEX_MEMORY_MB": "96"})
    index = IndexDatabase(tmp_path / "i.duckdb", memory_mb=config.index_memory_mb)
    try:
        limit = index.query("SELECT current_setting('memory_limit')")[0][0]
    finally:
        index.close()
    assert limit == "91.5 MiB"  # 96 MB as DuckDB writes it


def test_check_notes_an_index_larger_than_its_cache(tmp_path: Path) -> None:
    from irbox.operations.check import _note_index_cache

    config = load_config(environ={"IRBOX_DATA_DIR": str(tmp_path), "IRBOX_INDEX_MEMORY_MB": "2"})
    notes: list[str] = []
    config.index_path.write_bytes(b"\0" * (2 * 2**20))  # exactly the cache: nothing to say
    _note_index_cache(config, notes)
    assert notes == []
    config.index_path.write_bytes(b"\0" * (3 * 2**20))
    _note_index_cache(config, notes)
    assert notes == [
        "index: the file (3 MiB) is larger than index_memory_mb (2);"
        " raising it would speed up observable search"
    ]


def test_listen_takes_a_host_name() -> None:
    """Granian binds addresses only: a name is resolved (IPv4 first), one that does not resolve
    is a one-line error naming the key."""
    assert load_config(overrides={"listen": "localhost:8080"}).listen_host == "127.0.0.1"
    assert load_config(overrides={"listen": "[::1]:8080"}).listen_host == "::1"
    with pytest.raises(ConfigError) as info:
        load_config(overrides={"listen": "no-such-host.invalid:8080"})
    assert str(info.value).startswith("listen: cannot resolve")
