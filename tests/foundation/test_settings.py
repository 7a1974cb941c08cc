import tomllib
from pathlib import Path

import msgspec
import pytest

from supportlens.config import ConfigError, load_settings
from supportlens.config_sections import SECTIONS, ApiSettings, InvalidValue

CONFIG = """
[paths]
raw_dir = "raw"
landing_dir = "landing"
warehouse = "w/wh.duckdb"
published = "p/wh.duckdb"
registry_dir = "models"
gx_docs_dir = "docs"
reports_build_dir = "build"

[api]
port = 8000
"""


def write(tmp_path: Path, text: str = CONFIG) -> Path:
    path = tmp_path / "supportlens.toml"
    path.write_text(text)
    return path


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path))
    assert settings.paths.warehouse == tmp_path / "w" / "wh.duckdb"
    assert settings.project_root == tmp_path


def test_environment_overrides_keep_the_file_type(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SUPPORTLENS_API_PORT", "9001")
    monkeypatch.setenv("SUPPORTLENS_PATHS_WAREHOUSE", "/elsewhere/x.duckdb")
    settings = load_settings(write(tmp_path))
    assert settings.api.port == 9001
    assert settings.paths.warehouse == Path("/elsewhere/x.duckdb")


def test_bad_override_names_the_variable(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SUPPORTLENS_API_PORT", "eighty")
    with pytest.raises(ConfigError, match="SUPPORTLENS_API_PORT"):
        load_settings(write(tmp_path))


def test_unknown_path_key_is_rejected(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="unknown \\['typo'\\]"):
        text = CONFIG.replace('raw_dir = "raw"', 'raw_dir = "r"\ntypo = "x"')
        load_settings(write(tmp_path, text))


def test_env_for_subprocesses_points_dbt_at_the_project(tmp_path: Path) -> None:
    env = load_settings(write(tmp_path)).env_for_subprocesses()
    assert env["DBT_PROFILES_DIR"] == str(tmp_path)
    assert env["SUPPORTLENS_PATHS_WAREHOUSE"].endswith("wh.duckdb")


def test_the_checked_in_config_loads() -> None:
    settings = load_settings(Path(__file__).resolve().parents[2] / "supportlens.toml")
    assert settings.paths.published.name == "supportlens.duckdb"


def test_symlinked_paths_are_not_resolved(tmp_path: Path) -> None:
    # The published snapshot is a symlink swapped on every publish: settings must keep the
    # link itself, or readers would stay on the version that was current at start-up.
    (tmp_path / "p").mkdir()
    (tmp_path / "p" / "v1.duckdb").touch()
    (tmp_path / "p" / "wh.duckdb").symlink_to("v1.duckdb")
    settings = load_settings(write(tmp_path))
    assert settings.paths.published == tmp_path / "p" / "wh.duckdb"


def test_sections_are_typed_with_defaults_for_keys_the_file_omits(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path))
    assert settings.api.max_batch == 1000
    assert settings.api.trusted_proxies == ()
    assert settings.api.rate_limit("predict") == ("minute", 6000)
    assert settings.ml.label_set == "banking77"
    assert settings.udfs.sentiment_workers == 0
    assert settings.generate.seed == 42


def test_sections_are_frozen(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path))
    with pytest.raises(AttributeError):
        settings.api.port = 1  # type: ignore[misc]


@pytest.mark.parametrize(
    ("variable", "value", "read", "expected"),
    [
        ("SUPPORTLENS_API_MAX_BATCH", "25", lambda s: s.api.max_batch, 25),
        ("SUPPORTLENS_API_WORKERS", "4", lambda s: s.api.workers, 4),
        ("SUPPORTLENS_OPS_KEEP_SNAPSHOTS", "1", lambda s: s.ops.keep_snapshots, 1),
        ("SUPPORTLENS_API_RATE_LIMIT_READS", "off", lambda s: s.api.rate_limit("reads"), None),
        (
            "SUPPORTLENS_API_TRUSTED_PROXIES",
            "10.0.0.1, 10.1.0.0/16",
            lambda s: s.api.trusted_proxies,
            ("10.0.0.1", "10.1.0.0/16"),
        ),
        ("SUPPORTLENS_UDFS_SENTIMENT_WORKERS", "1", lambda s: s.udfs.sentiment_workers, 1),
        ("SUPPORTLENS_GENERATE_SEED", "7", lambda s: s.generate.seed, 7),
        ("SUPPORTLENS_ML_BASE_MODEL", "/m/e5", lambda s: s.ml.base_model, "/m/e5"),
        ("SUPPORTLENS_OPS_RUNS_KEEP_DAYS", "7.5", lambda s: s.ops.runs_keep_days, 7.5),
        ("SUPPORTLENS_ALERTS_SMTP_STARTTLS", "false", lambda s: s.alerts.smtp_starttls, False),
        (
            "SUPPORTLENS_ALERTS_SMTP_TO",
            "a@example.invalid, b@example.invalid",
            lambda s: s.alerts.smtp_to,
            ("a@example.invalid", "b@example.invalid"),
        ),
    ],
)
def test_environment_overrides_convert_to_the_field_type(
    tmp_path, monkeypatch, variable, value, read, expected
) -> None:
    # Keys the file does not list can be overridden too: the Struct declares them.
    monkeypatch.setenv(variable, value)
    assert read(load_settings(write(tmp_path))) == expected


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SUPPORTLENS_API_MAX_BATCH", "many"),
        ("SUPPORTLENS_API_MAX_BATCH", "0"),
        ("SUPPORTLENS_API_WORKERS", "0"),
        ("SUPPORTLENS_API_WORKERS", "two"),
        ("SUPPORTLENS_OPS_KEEP_SNAPSHOTS", "0"),
        ("SUPPORTLENS_API_RATE_LIMIT_PREDICT", "fast"),
        ("SUPPORTLENS_API_TRUSTED_PROXIES", "not-an-ip"),
        ("SUPPORTLENS_UDFS_SENTIMENT_WORKERS", "-1"),
        ("SUPPORTLENS_GENERATE_SEED", "4.5"),
        ("SUPPORTLENS_OPS_KEEP_BACKUPS", "-2"),
        ("SUPPORTLENS_ALERTS_SMTP_STARTTLS", "maybe"),
        ("SUPPORTLENS_ALERTS_RETRIES", "three"),
        ("SUPPORTLENS_ALERTS_CHANNELS", "log,pager"),
    ],
)
def test_bad_override_names_the_variable_the_key_and_the_value(
    tmp_path, monkeypatch, variable, value
) -> None:
    monkeypatch.setenv(variable, value)
    section, key = variable.removeprefix("SUPPORTLENS_").lower().split("_", 1)
    with pytest.raises(ConfigError) as caught:
        load_settings(write(tmp_path))
    message = str(caught.value)
    assert variable in message and f"[{section}] {key}" in message
    assert repr(value) in message or value in message


def test_bad_file_value_names_the_file_and_the_key(tmp_path: Path) -> None:
    text = CONFIG.replace("port = 8000", 'port = "eighty"')
    with pytest.raises(ConfigError, match=r"supportlens.toml: \[api\] port = 'eighty'"):
        load_settings(write(tmp_path, text))


def test_unknown_section_key_is_rejected_by_name(tmp_path: Path) -> None:
    text = CONFIG.replace("port = 8000", "port = 8000\nmax_batchh = 5")
    with pytest.raises(ConfigError, match=r"\[api\] unknown keys \['max_batchh'\]"):
        load_settings(write(tmp_path, text))


def test_unknown_section_is_rejected_by_name(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown section \[apii\]"):
        load_settings(write(tmp_path, CONFIG + "\n[apii]\nport = 1\n"))


def test_a_struct_built_in_code_is_checked_too() -> None:
    with pytest.raises(InvalidValue, match=r"\[api\] max_turns = 0"):
        ApiSettings(max_turns=0)


def test_struct_defaults_match_the_checked_in_file() -> None:
    # The file documents every key (docs/deployment.md's table is generated from it), so
    # each field must appear there, with the Struct's default as its value.
    checked_in = Path(__file__).resolve().parents[2] / "supportlens.toml"
    data = tomllib.loads(checked_in.read_text(encoding="utf-8"))
    from_file = load_settings(checked_in)
    for name, cls in SECTIONS.items():
        assert {f.name for f in msgspec.structs.fields(cls)} == set(data[name]), name
        assert getattr(from_file, name) == cls(), name


def test_with_values_converts_and_checks_like_the_file() -> None:
    changed = ApiSettings().with_values(max_batch="7", trusted_proxies="10.0.0.1, 10.0.0.2")
    assert changed.max_batch == 7 and changed.trusted_proxies == ("10.0.0.1", "10.0.0.2")
    with pytest.raises(InvalidValue, match="max_batchh"):
        ApiSettings().with_values(max_batchh=1)
    with pytest.raises(InvalidValue, match=r"rate_limit_admin = 'soon'"):
        ApiSettings().with_values(rate_limit_admin="soon")
