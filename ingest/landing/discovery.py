"""Find raw files under raw_dir following the raw layout of docs/contracts.md."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RawFile:
    source: str
    path: Path
    source_file: str  # relative to raw_dir, forward slashes: the lineage value
    kind: str | None  # what the source's loader calls this file; None = unknown format
    #: Why the file cannot land whatever it holds (a name lineage cannot record), or None.
    problem: str | None = None


def _visible_files(folder: Path) -> Iterable[Path]:
    """Files under `folder`, skipping hidden names and partial downloads (`*.part`)."""
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if any(part.startswith((".", "_")) for part in relative.parts):
            continue
        if path.is_file() and path.suffix != ".part":
            yield path


def discover(raw_dir: Path, classifiers: dict[str, Callable[[str], str | None]]) -> list[RawFile]:
    """Every raw file of the given sources; `classifiers[source]` names each file's kind.

    A classifier gets the path relative to the source folder (e.g. `train/schema.json`).
    """
    found: list[RawFile] = []
    for source, classify in classifiers.items():
        folder = raw_dir / source
        if not folder.is_dir():
            continue
        for path in _visible_files(folder):
            inner = path.relative_to(folder).as_posix()
            source_file = path.relative_to(raw_dir).as_posix()
            try:
                source_file.encode("utf-8")
            except UnicodeEncodeError:  # a name in another encoding (surrogate escapes)
                shown = os.fsencode(source_file).decode("utf-8", "backslashreplace")
                problem = "file name is not valid UTF-8 (rename the file)"
                found.append(RawFile(source, path, shown, None, problem))
                continue
            found.append(RawFile(source, path, source_file, classify(inner)))
    return found
