"""One loader module per source format.

Each module exposes `LOADER_VERSION: str`, `classify(relative_path) -> kind | None`
(the file kinds it understands inside its source folder) and
`load(raw: RawFile, sink: LoadSink) -> None` (parse, validate, write tables, quarantine).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from supportlens.ingest.sources import SOURCES

__all__ = ["SOURCES", "loader_for"]


def loader_for(source: str) -> ModuleType:
    if source not in SOURCES:
        raise ValueError(f"unknown source {source!r} (expected one of {', '.join(SOURCES)})")
    return importlib.import_module(f"supportlens.ingest.loaders.{source}")
