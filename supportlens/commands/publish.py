"""`supportlens publish`: copy the working warehouse to the read-only snapshot, atomically.

It takes no options: what to publish and where come from `supportlens.toml`.
"""

from __future__ import annotations

import argparse
import sys

from supportlens.config import Settings
from supportlens.warehouse import WarehouseNotPublishableError, publish


def run(args: argparse.Namespace, settings: Settings) -> int:
    try:
        target = publish(settings)
    except (WarehouseNotPublishableError, FileNotFoundError) as exc:
        print(f"supportlens publish: {exc}", file=sys.stderr)
        return 1
    print(f"published {target} -> {target.resolve().name}")
    return 0
