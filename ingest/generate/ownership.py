"""The generator's own files: it never overwrites a file it did not write.

`supportlens generate` writes into `paths.raw_dir`, the folder where users also put their
real datasets. So before writing, the generator looks at every file already in the
folders it is about to write (the chosen sources' folders and `_truth/`): each must be a
file it wrote itself, listed in its record `_truth/generated.json` with the same size
and sha256. Anything else (a real BANKING77 `train.csv`, a generated file a user has
since edited, sample data from before this record existed) stops the run before a byte
is written, with an error naming the file.

The record survives an interrupted run: the folders about to be written are listed under
`writing` first and cleared when the run ends, so what a crash left half-way is still
recognised as the generator's own on the next run.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from supportlens.hashing import file_digest

RECORD = "_truth/generated.json"
TRUTH_FOLDER = "_truth"


class ForeignFileError(FileExistsError):
    """A folder the generator would write already holds files it did not write."""

    def __init__(self, root: Path, foreign: Sequence[str]) -> None:
        self.root = root
        self.foreign = list(foreign)
        first = root / foreign[0]
        more = f" (and {len(foreign) - 1} more)" if len(foreign) > 1 else ""
        super().__init__(
            f"{first}{more} was not written by the generator: refusing to write sample "
            f"data into {root}, nothing was written. To keep your data, generate "
            "elsewhere (--out DIR) or run the pipeline on your files with "
            "`supportlens run --no-generate`; if it is sample data from an older "
            "SupportLens, delete it and generate again."
        )


def files_in(root: Path, folders: Iterable[str]) -> Iterator[str]:
    """Relative paths of the files now under `folders` of `root`.

    Hidden names (`.DS_Store`, an upload in progress) are left out: the generator never
    writes one and `land` never reads one. So is the record itself.
    """
    for folder in folders:
        base = root / folder
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*")):
            relative = path.relative_to(root).as_posix()
            hidden = any(part.startswith(".") for part in relative.split("/"))
            if path.is_file() and not hidden and relative != RECORD:
                yield relative


@dataclass
class GeneratedFiles:
    """What the generator has written under one root: {relative path: [bytes, sha256]}."""

    root: Path
    files: dict[str, list[object]] = field(default_factory=dict)
    writing: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, root: Path) -> GeneratedFiles:
        path = root / RECORD
        if not path.is_file():
            return cls(root)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(root, dict(data["files"]), list(data["writing"]))
        except (ValueError, KeyError, TypeError):
            # An unreadable record proves nothing is ours: every file counts as foreign.
            return cls(root)

    def save(self) -> None:
        path = self.root / RECORD
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        body = {"files": dict(sorted(self.files.items())), "writing": sorted(self.writing)}
        tmp.write_text(json.dumps(body, indent=1) + "\n", encoding="utf-8")
        os.replace(tmp, path)

    def files_in(self, folders: Iterable[str]) -> Iterator[str]:
        return files_in(self.root, folders)

    def is_ours(self, relative: str) -> bool:
        if any(relative.startswith(f"{folder}/") for folder in self.writing):
            return True  # left by an interrupted run of ours
        known = self.files.get(relative)
        if known is None:
            return False
        path = self.root / relative
        if path.stat().st_size != known[0]:
            return False  # changed for sure; no need to hash
        return file_digest(path)[1] == known[1]

    def foreign(self, folders: Iterable[str]) -> list[str]:
        return [relative for relative in self.files_in(folders) if not self.is_ours(relative)]

    def finish(self, folders: Sequence[str], known: dict[str, tuple[int, str]]) -> None:
        """Record every file now under `folders` as ours (`known`: digests already taken)."""
        present = set(self.files_in(folders))
        for relative in present:
            size, sha256 = known.get(relative) or file_digest(self.root / relative)
            self.files[relative] = [size, sha256]
        # Entries under these folders whose files are gone are forgotten.
        for relative in list(self.files):
            inside = any(relative.startswith(f"{folder}/") for folder in folders)
            if inside and relative not in present:
                del self.files[relative]
        self.writing = [f for f in self.writing if f not in folders]
        self.save()


@contextmanager
def own_folders(root: Path, folders: Sequence[str]) -> Iterator[dict[str, tuple[int, str]]]:
    """Check, claim, then record `folders` under `root` around the generator's writes.

    Raises ForeignFileError before anything is written if a folder holds a file that is
    not the generator's. The body may fill the yielded dict with digests it has already
    computed (relative path → (bytes, sha256)) so they are not taken twice.
    """
    record = GeneratedFiles.load(root)
    foreign = record.foreign(folders)
    if foreign:
        raise ForeignFileError(root, foreign)
    record.writing = sorted(set(record.writing) | set(folders))
    record.save()
    known: dict[str, tuple[int, str]] = {}
    yield known
    record.finish(folders, known)
