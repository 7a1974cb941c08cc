"""Point the `supportlens` CLI at a tmp_path project (shared by the CLI tests)."""

from __future__ import annotations

import pytest

from supportlens.config import Settings


def point_cli_at(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    """A supportlens.toml in tmp_path so the CLI's project root (gx/, seeds/) is tmp_path."""
    paths = settings.paths
    config = settings.project_root / "supportlens.toml"
    config.write_text(
        "[paths]\n"
        + "".join(f'{key} = "{getattr(paths, key)}"\n' for key in paths.__dataclass_fields__),
        encoding="utf-8",
    )
    monkeypatch.setenv("SUPPORTLENS_CONFIG", str(config))
    for key in paths.__dataclass_fields__:
        monkeypatch.delenv(f"SUPPORTLENS_PATHS_{key.upper()}", raising=False)
