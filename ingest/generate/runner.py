"""Run every generator into one raw folder and record what was written."""

from __future__ import annotations

import logging
import time
from pathlib import Path

from ingest.generate.banking77 import write_banking77
from ingest.generate.bitext import write_bitext
from ingest.generate.common import write_csv
from ingest.generate.scales import Scale, scale_named
from ingest.generate.sgd import write_sgd
from ingest.generate.synthetic import write_synthetic
from ingest.generate.twcs import write_twcs
from ingest.hashing import file_sha256
from ingest.sources import SOURCES

logger = logging.getLogger(__name__)

TRUTH_DIR = "_truth"


def _write_one(
    source: str, out_dir: Path, seed: int, scale: Scale, progress: bool
) -> dict[str, int]:
    if source == "banking77":
        return write_banking77(out_dir, seed, scale)
    if source == "bitext":
        return write_bitext(out_dir, seed, scale)
    if source == "sgd":
        return write_sgd(out_dir, seed, scale)
    if source == "twcs":
        return write_twcs(out_dir, seed, scale.twcs_tweets, progress=progress)
    if source == "synthetic":
        return write_synthetic(out_dir, seed, scale.synthetic_conversations)
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
    """
    chosen = scale_named(scale) if isinstance(scale, str) else scale
    out_dir.mkdir(parents=True, exist_ok=True)
    written: dict[str, int] = {}
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
    rows = []
    for relative in sorted(written):
        path = out_dir / relative
        rows.append((relative, written[relative], path.stat().st_size, file_sha256(path)))
    write_csv(out_dir / TRUTH_DIR / "manifest.csv", ("path", "records", "bytes", "sha256"), rows)
    return written
