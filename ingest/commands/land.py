"""`supportlens land`: land raw files as typed Parquet and print a per-file summary."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from supportlens.config import Settings
from supportlens.ingest.land import FAILED, FileOutcome, land
from supportlens.ingest.loaders import SOURCES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--source",
        action="append",
        choices=SOURCES,
        metavar="NAME",
        help=f"land only this source (repeatable; one of {', '.join(SOURCES)})",
    )
    parser.add_argument("--raw-dir", type=Path, help="raw folder (default: paths.raw_dir)")


def summary_table(outcomes: list[FileOutcome]) -> str:
    """Markdown table, one row per file."""
    lines = [
        "| file | status | read | accepted | quarantined | load_id |",
        "|---|---|---:|---:|---:|---|",
    ]
    for o in outcomes:
        lines.append(
            f"| {o.source_file} | {o.status} | {o.rows_read:,} | {o.rows_accepted:,} "
            f"| {o.rows_quarantined:,} | {o.load_id or ''} |"
        )
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    raw_dir = (args.raw_dir or settings.paths.raw_dir).resolve()
    if not raw_dir.is_dir():
        print(
            f"supportlens land: raw folder {raw_dir} does not exist "
            "(run `supportlens generate` or `supportlens download`)",
            file=sys.stderr,
        )
        return 2
    outcomes = land(raw_dir, settings.paths.landing_dir, args.source, progress=True)
    if not outcomes:
        print(f"supportlens land: no raw files found under {raw_dir}", file=sys.stderr)
        return 2
    print(summary_table(outcomes))
    failures = [o for o in outcomes if o.status == FAILED]
    for failure in failures:
        print(f"error: {failure.message}", file=sys.stderr)
    return 1 if failures else 0
