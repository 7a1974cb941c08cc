"""`supportlens publish`: copy the working warehouse to the read-only snapshot, atomically."""

from __future__ import annotations

import argparse

from supportlens.config import Settings
from supportlens.warehouse import publish


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.set_defaults()


def run(args: argparse.Namespace, settings: Settings) -> int:
    target = publish(settings)
    print(f"published {target}")
    return 0
