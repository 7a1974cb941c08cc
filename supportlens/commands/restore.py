"""`supportlens restore DIR [--into DATA_DIR] [--force]`: restore a `supportlens backup`.

Every checksum is verified before anything is written; a damaged backup is refused with
the name of the file that fails. Existing data is never replaced without `--force`.
`--into` restores into a data folder laid out like the default `data/` instead of the
configured paths (point supportlens.toml's [paths] there to use it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from supportlens.config import Settings
from supportlens.ops import runs
from supportlens.ops.backup import BackupError, restore
from supportlens.warehouse import WarehouseNotPublishableError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("backup", type=Path, help="a backup folder (made by supportlens backup)")
    parser.add_argument("--into", type=Path, default=None, help="data folder to restore into")
    parser.add_argument("--force", action="store_true", help="replace existing data")


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    runs.note_error(message)


def run(args: argparse.Namespace, settings: Settings) -> int:
    into = args.into.resolve() if args.into is not None else None
    try:
        restored = restore(settings, args.backup.resolve(), into, args.force)
    except (BackupError, WarehouseNotPublishableError) as exc:
        _fail(f"supportlens restore: {exc}")
        return 1
    rows = sum(restored.tables.values())
    runs.note_rows(rows_in=rows, rows_out=rows)
    print(
        f"restored {args.backup} -> {restored.paths.warehouse.parent.parent}: "
        f"{len(restored.tables)} tables, {rows:,} rows; published {restored.published}"
    )
    return 0
