"""Benchmark: full-scale synthetic generation (2.8 M TWCS tweets by default).

Usage: python benchmarks/generate_full.py [--out DIR] [--sources twcs,sgd,...] [--seed N]

Prints a markdown table with records, wall and CPU seconds, records/s, MB written, MB/s and
the process's peak RSS after each source (CPU time is shown because the machine is shared:
wall time alone says more about the neighbours than about the generator). Without --out,
writes to a temporary folder that is deleted afterwards.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

from supportlens.ingest.generate import SOURCES, generate_all


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _bytes_under(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--sources", default="twcs", help=f"comma list of {','.join(SOURCES)}")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--scale", default="full")
    args = parser.parse_args()
    sources = tuple(s.strip() for s in args.sources.split(",") if s.strip())
    out = args.out or Path(tempfile.mkdtemp(prefix="supportlens-genbench-"))
    lines = [
        f"Generation benchmark — scale `{args.scale}`, seed {args.seed}",
        "",
        "| source | records | wall s | CPU s | records/s (wall) | records/s (CPU) "
        "| MB written (incl. truth) | MB/s (wall) | peak RSS MiB |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    try:
        for source in sources:
            before = _bytes_under(out) if out.exists() else 0
            started, cpu_started = time.perf_counter(), time.process_time()
            written = generate_all(out, args.seed, args.scale, sources=(source,), progress=True)
            seconds = time.perf_counter() - started
            cpu = time.process_time() - cpu_started
            megabytes = (_bytes_under(out) - before) / 1e6
            records = sum(written.values())
            lines.append(
                f"| {source} | {records:,} | {seconds:.1f} | {cpu:.1f} | {records / seconds:,.0f} "
                f"| {records / cpu:,.0f} | {megabytes:,.1f} | {megabytes / seconds:.1f} "
                f"| {_peak_rss_mib():,.0f} |"
            )
    finally:
        if args.out is None:
            shutil.rmtree(out, ignore_errors=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
