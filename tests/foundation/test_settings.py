from pathlib import Path

import pytest

from supportlens.config import ConfigError, load_settings

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
    assert settings.api["port"] == 9001
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
