"""One configuration source: `supportlens.toml` plus `SUPPORTLENS_<SECTION>_<KEY>` overrides.

Settings are read once into an immutable `Settings` object that is passed explicitly;
nothing here is module-level mutable state. Each `[section]` is decoded once into its
typed Struct (`supportlens.config_sections`), which holds every key's default and check.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import msgspec

from supportlens.config_sections import (
    SECTIONS,
    AlertsSettings,
    ApiSettings,
    GenerateSettings,
    InvalidValue,
    MlSettings,
    OpsSettings,
    Section,
    UdfsSettings,
    convert,
)

CONFIG_FILE_NAME = "supportlens.toml"
ENV_PREFIX = "SUPPORTLENS_"
PACKAGE_ROOT = Path(__file__).resolve().parent.parent


class ConfigError(ValueError):
    """Raised when the configuration file or an override is invalid."""


@dataclass(frozen=True)
class Paths:
    raw_dir: Path
    landing_dir: Path
    warehouse: Path
    published: Path
    registry_dir: Path
    gx_docs_dir: Path
    reports_build_dir: Path
    # Optional (older config files lack them): run history / alert events, and backups.
    ops_db: Path | None = None
    backup_dir: Path | None = None


@dataclass(frozen=True)
class Settings:
    project_root: Path
    paths: Paths
    generate: GenerateSettings = field(default_factory=GenerateSettings)
    ml: MlSettings = field(default_factory=MlSettings)
    api: ApiSettings = field(default_factory=ApiSettings)
    udfs: UdfsSettings = field(default_factory=UdfsSettings)
    ops: OpsSettings = field(default_factory=OpsSettings)
    alerts: AlertsSettings = field(default_factory=AlertsSettings)

    def env_for_subprocesses(self) -> dict[str, str]:
        """Environment that dbt, Evidence and child processes need to see the same paths."""
        env = dict(os.environ)
        env.update(
            {
                "DBT_PROFILES_DIR": str(self.project_root),
                "DBT_PROJECT_DIR": str(self.project_root),
                "SUPPORTLENS_PATHS_WAREHOUSE": str(self.paths.warehouse),
                "SUPPORTLENS_PATHS_LANDING_DIR": str(self.paths.landing_dir),
                "SUPPORTLENS_PATHS_PUBLISHED": str(self.paths.published),
                "SUPPORTLENS_PATHS_REGISTRY_DIR": str(self.paths.registry_dir),
                "SUPPORTLENS_PATHS_RAW_DIR": str(self.paths.raw_dir),
                # dbt copies run history from here into the warehouse (models/marts/ops).
                "SUPPORTLENS_PATHS_OPS_DB": str(self.paths.ops_db or ""),
                "DBT_SEND_ANONYMOUS_USAGE_STATS": "False",
            }
        )
        return env


def _decode_section(path: Path, name: str, values: dict[str, Any]) -> Section:
    """One [section] as its Struct: file values, then environment overrides, each converted
    to its field's type; errors name where the bad value came from (file or variable)."""
    cls = SECTIONS[name]
    fields = {f.name: f.type for f in msgspec.structs.fields(cls)}
    unknown = sorted(set(values) - set(fields))
    if unknown:
        raise ConfigError(f"{path}: [{name}] unknown keys {unknown}; known: {sorted(fields)}")
    origin = dict.fromkeys(values, str(path))
    merged = dict(values)
    for key in fields:
        env_name = f"{ENV_PREFIX}{name}_{key}".upper()
        if env_name in os.environ:
            merged[key], origin[key] = os.environ[env_name], env_name
    converted: dict[str, Any] = {}
    for key, value in merged.items():
        try:
            converted[key] = convert(value, fields[key])
        except ValueError as exc:
            raise ConfigError(
                f"{origin[key]}: [{name}] {key} = {value!r}: expected {exc}"
            ) from None
    try:
        return cls(**converted)
    except InvalidValue as exc:
        # The value as written (a variable's text), not its converted form.
        where, raw = origin.get(exc.key, "default"), merged.get(exc.key, exc.value)
        raise ConfigError(
            f"{where}: [{name}] {exc.key} = {raw!r}: expected {exc.expected}"
        ) from None


def find_config_file(start: Path | None = None) -> Path:
    """`SUPPORTLENS_CONFIG`, else the nearest `supportlens.toml` upwards, else the project's."""
    explicit = os.environ.get(ENV_PREFIX + "CONFIG")
    if explicit:
        path = Path(explicit).expanduser().resolve()
        if not path.is_file():
            raise ConfigError(f"SUPPORTLENS_CONFIG points to {path}, which is not a file")
        return path
    here = (start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        candidate = folder / CONFIG_FILE_NAME
        if candidate.is_file():
            return candidate
    return PACKAGE_ROOT / CONFIG_FILE_NAME


def load_settings(config_file: Path | None = None) -> Settings:
    path = config_file or find_config_file()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {exc}") from exc
    root = path.parent
    for section, values in data.items():
        if not isinstance(values, dict):
            raise ConfigError(f"{path}: top-level key '{section}' must be a [section]")
        if section != "paths" and section not in SECTIONS:
            known = sorted({"paths", *SECTIONS})
            raise ConfigError(f"{path}: unknown section [{section}]; known: {known}")
    typed = {name: _decode_section(path, name, data.get(name, {})) for name in SECTIONS}
    raw_paths: dict[str, Any] = dict(data.get("paths", {}))
    for key, value in raw_paths.items():
        # Only keys the file lists: a child process gets SUPPORTLENS_PATHS_OPS_DB="" when
        # the parent's file had no ops_db (env_for_subprocesses), which must stay unset.
        env_name = f"{ENV_PREFIX}paths_{key}".upper()
        raw_paths[key] = os.environ.get(env_name, value)
        if not isinstance(raw_paths[key], str):
            raise ConfigError(f"{path}: [paths] {key} = {value!r}: expected a path string")
    expected = set(Paths.__dataclass_fields__)
    optional = {"ops_db", "backup_dir"}
    missing = expected - optional - set(raw_paths)
    unknown = set(raw_paths) - expected
    if missing or unknown:
        raise ConfigError(f"{path}: [paths] missing {sorted(missing)} / unknown {sorted(unknown)}")
    # abspath, not resolve(): the published path is a symlink that moves on every publish,
    # and resolving it here would pin readers to one snapshot version forever.
    paths = Paths(
        **{k: Path(os.path.abspath(root / Path(v).expanduser())) for k, v in raw_paths.items()}
    )
    return Settings(
        project_root=root,
        paths=paths,
        generate=cast(GenerateSettings, typed["generate"]),
        ml=cast(MlSettings, typed["ml"]),
        api=cast(ApiSettings, typed["api"]),
        udfs=cast(UdfsSettings, typed["udfs"]),
        ops=cast(OpsSettings, typed["ops"]),
        alerts=cast(AlertsSettings, typed["alerts"]),
    )
