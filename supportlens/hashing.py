"""How a file is fingerprinted: size and sha256, read in 1 MiB chunks.

Landing (is this raw file unchanged?), the generator (did I write this file?), downloads
(is this the pinned file?), backups (is this file what the manifest lists?) and the
embedding cache (which encoder weights made these vectors?) all ask the same question,
so they share this one definition.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def file_digest(path: Path) -> tuple[int, str]:
    """(bytes, sha256 hex) of a file; hashlib releases the GIL, so this can run beside work."""
    digest = hashlib.sha256()
    size = 0
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def file_sha256(path: Path) -> str:
    return file_digest(path)[1]
