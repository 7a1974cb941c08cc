"""What recording a run costs a command: `supportlens.ops.runs` around a no-op.

Prints milliseconds per command for the bare call and for opening and closing one
DuckDB file (the references), a recorded run (two ops-file writes, the git sha, the
killed-run check) and a recorded stage inside a run (two writes), measured side by
side in one process on a temporary ops file. Nearly all of the cost is opening the
ops file, so on a loaded machine read the ratio to the connect row.

    python benchmarks/run_history_overhead.py [--repeat 50]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import duckdb

from supportlens.config import load_settings
from supportlens.ops import runs


def timed(repeat: int, action: Callable[[], None]) -> list[float]:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()
    base = load_settings()
    with tempfile.TemporaryDirectory() as folder:
        settings = dataclasses.replace(
            base, paths=dataclasses.replace(base.paths, ops_db=Path(folder) / "ops.duckdb")
        )

        def bare() -> None:
            pass

        def recorded() -> None:
            with runs.recorded(settings, "land", ["land"]) as outcome:
                outcome.exit_code = 0

        def staged() -> None:
            with runs.stage("land") as outcome:
                outcome.exit_code = 0

        def connect() -> None:
            duckdb.connect(str(Path(folder) / "probe.duckdb")).close()

        rows = [("bare call (reference)", timed(args.repeat, bare))]
        rows.append(("one DuckDB file connect + close (reference)", timed(args.repeat, connect)))
        rows.append(("recorded run", timed(args.repeat, recorded)))
        with runs.recorded(settings, "run", ["run"]) as outer:
            rows.append(("recorded stage inside a run", timed(args.repeat, staged)))
            outer.exit_code = 0
    print(f"| what ({args.repeat} calls) | median ms | p90 ms |")
    print("|---|---:|---:|")
    for name, samples in rows:
        p90 = statistics.quantiles(samples, n=10)[-1]
        print(f"| {name} | {statistics.median(samples):.2f} | {p90:.2f} |")


if __name__ == "__main__":
    main()
