"""`supportlens generate`: write seeded synthetic raw data in all five source formats.

It writes only into folders that hold nothing but its own earlier output (see
`supportlens.ingest.generate.ownership`): a user's real files in raw_dir stop it with exit 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from supportlens.config import Settings
from supportlens.ingest.generate import SOURCES, corrupt, generate_all
from supportlens.ingest.generate.ownership import ForeignFileError
from supportlens.ingest.generate.scales import SCALES


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seed",
        type=int,
        default=None,
        help="random seed (default: [generate] seed in supportlens.toml)",
    )
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default=None,
        help="how much to generate (default: [generate] scale)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="raw folder to write into (default: paths.raw_dir)"
    )
    parser.add_argument(
        "--only",
        choices=SOURCES,
        action="append",
        default=None,
        help="generate only this source (repeatable)",
    )
    parser.add_argument(
        "--inject-errors",
        type=Path,
        default=None,
        metavar="DIR",
        help="also write copies with known malformed records into DIR",
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    seed = args.seed if args.seed is not None else settings.generate.seed
    scale = args.scale or settings.generate.scale
    if scale not in SCALES:
        print(
            f"supportlens generate: unknown scale {scale!r} in settings [generate] scale; "
            f"expected one of {', '.join(SCALES)}"
        )
        return 2
    out_dir: Path = (args.out or settings.paths.raw_dir).resolve()
    sources = tuple(args.only) if args.only else SOURCES
    try:
        written = generate_all(out_dir, seed, scale, sources=sources, progress=scale != "sample")
        for path, records in sorted(written.items()):
            print(f"{records:>10,}  {path}")
        print(f"wrote {len(written)} files (seed {seed}, scale {scale}) to {out_dir}")
        if args.inject_errors:
            corrupted = corrupt(out_dir, args.inject_errors.resolve(), seed)
            print(f"wrote {len(corrupted)} corrupted variants to {args.inject_errors.resolve()}")
    except ForeignFileError as exc:
        print(f"supportlens generate: {exc}", file=sys.stderr)
        return 1
    return 0
