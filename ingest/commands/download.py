"""`supportlens download SOURCE`: fetch a real public dataset into raw/."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from supportlens.config import Settings
from supportlens.ingest.download import DownloadError, copy_local, dataset_files, fetch
from supportlens.ingest.loaders import SOURCES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("source", choices=SOURCES, help="dataset to fetch")
    parser.add_argument("--dest", type=Path, help="raw folder (default: paths.raw_dir)")
    parser.add_argument("--url", help="base URL replacing the canonical location (mirrors)")
    parser.add_argument(
        "--file",
        type=Path,
        help="a file you downloaded yourself (twcs: Kaggle needs an account)",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    raw_dir = (args.dest or settings.paths.raw_dir).resolve()
    try:
        if args.file is not None:
            names = {"twcs": "twcs/twcs.csv"}
            target = names.get(args.source, f"{args.source}/{args.file.name}")
            print(f"copied {args.file} -> {copy_local(args.file, raw_dir, target)}")
            return 0
        remotes = dataset_files(args.source, args.url)
        counts: dict[str, int] = {}
        with tqdm(unit="B", unit_scale=True, desc=args.source, disable=None) as bar:
            for remote in remotes:
                status = fetch(remote, raw_dir, bar.update)
                counts[status] = counts.get(status, 0) + 1
    except DownloadError as exc:
        print(f"supportlens download: {exc}", file=sys.stderr)
        return 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
    pinned = sum(1 for remote in remotes if remote.sha256 is not None)
    print(
        f"{args.source}: {len(remotes)} files in {raw_dir / args.source} ({summary}; "
        f"{pinned} checked against a pinned sha256, {len(remotes) - pinned} unverified)"
    )
    return 0
