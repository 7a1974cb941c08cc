"""`supportlens backup [--to DIR]`: a verified backup, then the retention rules.

See supportlens/ops/backup.py for what a backup holds and why the copy is consistent.
`--prune-only` applies retention (backups, snapshots, `_archive/`, run history) without
writing a backup; `supportlens run` does that after each publish.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from supportlens.config import Settings
from supportlens.ops import runs
from supportlens.ops.backup import BackupError, apply_retention, make_backup, read_manifest


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--to", type=Path, default=None, help="backup folder root ([paths] backup_dir)"
    )
    parser.add_argument(
        "--prune-only", action="store_true", help="apply the retention rules only, no backup"
    )


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    runs.note_error(message)


def run(args: argparse.Namespace, settings: Settings) -> int:
    if not args.prune_only:
        root = args.to or settings.paths.backup_dir
        if root is None:
            _fail("supportlens backup: give --to DIR or set [paths] backup_dir")
            return 2
        try:
            folder = make_backup(settings, root.resolve(), runs.git_sha(settings.project_root))
        except BackupError as exc:
            _fail(f"supportlens backup: {exc}")
            return 1
        manifest = read_manifest(folder)
        rows = sum(manifest["tables"].values())
        runs.note_rows(rows_out=rows)
        size = sum(f["bytes"] for f in manifest["files"]) / 2**20
        print(
            f"backup {folder}: {manifest['database_source']}, {len(manifest['tables'])} tables, "
            f"{rows:,} rows, {len(manifest['files'])} files, {size:.1f} MiB"
        )
    root = args.to.resolve() if args.to is not None else settings.paths.backup_dir
    removed = apply_retention(settings, root)
    print("retention: " + ", ".join(f"{n} {what} removed" for what, n in removed.items()))
    return 0
