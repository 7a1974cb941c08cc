"""Run every generator into one raw folder and record what was written."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from supportlens.hashing import file_digest
from supportlens.ingest.generate.banking77 import write_banking77
from supportlens.ingest.generate.bitext import write_bitext
from supportlens.ingest.generate.common import write_csv
from supportlens.ingest.generate.ownership import TRUTH_FOLDER as TRUTH_DIR
from supportlens.ingest.generate.ownership import files_in, own_folders
from supportlens.ingest.generate.scales import Scale, scale_named
from supportlens.ingest.generate.sgd import write_sgd
from supportlens.ingest.generate.synthetic import write_synthetic
from supportlens.ingest.generate.twcs import write_twcs
from supportlens.ingest.sources import SOURCES

logger = logging.getLogger(__name__)


def _write_one(
    source: str, out_dir: Path, seed: int, scale: Scale, progress: bool
) -> dict[str, int]:
    if source == "banking77":
        return write_banking77(out_dir, seed, scale)
    if source == "bitext":
        return write_bitext(out_dir, seed, scale)
    if source == "sgd":
        return write_sgd(out_dir, seed, scale, progress=progress)
    if source == "twcs":
        return write_twcs(out_dir, seed, scale.twcs_tweets, progress=progress)
    if source == "synthetic":
        return write_synthetic(out_dir, seed, scale.synthetic_conversations, progress=progress)
    raise ValueError(f"unknown source {source!r}: expected one of {', '.join(SOURCES)}")


def generate_all(
    out_dir: Path,
    seed: int,
    scale: str | Scale,
    sources: tuple[str, ...] = SOURCES,
    progress: bool = False,
) -> dict[str, int]:
    """Write the chosen sources under `out_dir`; return {relative path: records}.

    Also writes `_truth/manifest.csv` (path, records, bytes, sha256) for every data file.
    Raises ForeignFileError, before writing anything, if a folder it would write holds a
    file it did not write (see `ownership`): a user's real data is never overwritten.
    Files of its own from an earlier run that this run does not write again (SGD shards
    of a larger scale) are removed, so the folder holds exactly this run's data.
    """
    chosen = scale_named(scale) if isinstance(scale, str) else scale
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
    with own_folders(out_dir, [*sources, TRUTH_DIR]) as digests:
        for source in sources:
            started = time.perf_counter()
            counts = _write_one(source, out_dir, seed, chosen, progress)
            written.update(counts)
            logger.info(
                "generated %s",
                source,
                extra={
                    "files": len(counts),
                    "records": sum(counts.values()),
                    "seconds": round(time.perf_counter() - started, 2),
                },
            )
        # Only our own files are here (own_folders checked): drop those not written now.
        for relative in list(files_in(out_dir, sources)):
            if relative not in written:
                (out_dir / relative).unlink()
        rows = []
        for relative in sorted(written):
            digests[relative] = file_digest(out_dir / relative)
            size, sha256 = digests[relative]
            rows.append((relative, written[relative], size, sha256))
        header = ("path", "records", "bytes", "sha256")
        write_csv(out_dir / TRUTH_DIR / "manifest.csv", header, rows)
    return written
