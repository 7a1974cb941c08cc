"""Helpers shared by the ML subcommands: locating config files, printing clear errors."""

from __future__ import annotations

import sys
from pathlib import Path

from supportlens.config import Settings


def resolve_config_path(value: str, settings: Settings) -> Path:
    """A config path as given, else relative to the project root (so it works from anywhere)."""
    path = Path(value).expanduser()
    if path.is_file() or path.is_absolute():
        return path
    candidate = settings.project_root / path
    return candidate if candidate.is_file() else path


def fail(command: str, message: object) -> int:
    print(f"supportlens {command}: {message}", file=sys.stderr)
    return 2
