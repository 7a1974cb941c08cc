"""Benchmark: `dbt build` of the whole warehouse vs the same marts in pandas.

Usage:
  supportlens generate --scale full --out RAW && \
  SUPPORTLENS_PATHS_RAW_DIR=RAW SUPPORTLENS_PATHS_LANDING_DIR=LANDING supportlens land
  python benchmarks/dbt_full.py LANDING [--skip-pandas]

Runs `supportlens build` (seeds, every model, every test) into a temporary warehouse and
measures wall time and the peak RSS of the dbt process (DuckDB runs inside it); then runs
benchmarks/pandas_marts.py on the same landed Parquet in its own process. Checks that
both produce the same figures and prints a markdown table with the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]
#: Nodes listed (on stderr) by execution time: where the next optimisation should go.
SLOWEST = 15

SUMMARY_SQL = {
    "fct_turns rows": "select count(*) from fct_turns",
    "fct_conversations rows": "select count(*) from fct_conversations",
    "sum first_response_seconds": "select sum(first_response_seconds) from fct_conversations",
    "resolved conversations": "select count(*) from fct_conversations where outcome = 'resolved'",
    "ml_training_examples train rows": "select count(*) from ml_training_examples"
    " where split = 'train'",
    "ml_scoring_inputs rows": "select count(*) from ml_scoring_inputs",
}


def children_peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024


def children_cpu_seconds() -> float:
    """CPU time of finished children: on a shared machine wall time mostly measures the
    neighbours, CPU time measures the work."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_dbt(landing: Path, work: Path, extra: list[str]) -> dict[str, Any]:
    env = dict(os.environ)
    env.update({
        "SUPPORTLENS_PATHS_LANDING_DIR": str(landing),
        "SUPPORTLENS_PATHS_WAREHOUSE": str(work / "warehouse.duckdb"),
        "DBT_LOG_PATH": str(work / "logs"),
    })  # fmt: skip
    started = time.perf_counter()
    completed = subprocess.run(
        [sys.executable, "-m", "supportlens.cli", "-q", "build", "--target-path",
         str(work / "target"), *extra],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    wall = time.perf_counter() - started
    if completed.returncode != 0:
        sys.exit(f"dbt build failed:\n{completed.stdout[-4000:]}\n{completed.stderr[-2000:]}")
    results = json.loads((work / "target" / "run_results.json").read_text())
    phase = {"model": 0.0, "test": 0.0, "seed": 0.0, "unit_test": 0.0}
    counts = {kind: 0 for kind in phase}
    slowest = sorted(results["results"], key=lambda node: -node["execution_time"])[:SLOWEST]
    print("slowest nodes:", file=sys.stderr)
    for node in slowest:
        print(f"  {node['execution_time']:7.1f} s  {node['unique_id']}", file=sys.stderr)
    for node in results["results"]:
        kind = node["unique_id"].split(".")[0]
        if kind in phase:
            phase[kind] += node["execution_time"]
            counts[kind] += 1
    nodes = (
        f"{counts['model']} models, {counts['test']} data tests, {counts['unit_test']} unit tests"
    )
    return {"wall": wall, "dbt_elapsed": results["elapsed_time"], **phase, "nodes": nodes}


def warehouse_summary(warehouse: Path) -> dict[str, float]:
    with duckdb.connect(str(warehouse), read_only=True) as conn:
        return {k: float(conn.execute(sql).fetchone()[0] or 0) for k, sql in SUMMARY_SQL.items()}


def run_pandas(landing: Path, work: Path) -> dict:
    out = work / "pandas.json"
    subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "pandas_marts.py"), str(landing),
         "--json", str(out)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    return json.loads(out.read_text())


def main() -> None:
    parser = argparse.ArgumentParser(description="dbt build vs pandas on landed data")
    parser.add_argument("landing", type=Path)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--core-only", action="store_true",
                        help="leave out models/marts/analytics and what reads it")  # fmt: skip
    args = parser.parse_args()
    landing = args.landing.resolve()
    with tempfile.TemporaryDirectory(prefix="supportlens-dbt-bench-") as tmp:
        work = Path(tmp)
        scope = ["--exclude", "path:models/marts/analytics+"] if args.core_only else []
        dbt = run_dbt(landing, work, scope)
        dbt_peak = children_peak_mib()
        dbt_cpu = children_cpu_seconds()
        summary = warehouse_summary(work / "warehouse.duckdb")
        rows = [
            "| run | wall s | CPU s | peak RSS MiB | notes |",
            "|---|---:|---:|---:|---|",
            f"| `supportlens build` ({dbt['nodes']}) "
            f"| {dbt['wall']:.1f} | {dbt_cpu:.0f} | {dbt_peak:.0f} | "
            f"models {dbt['model']:.1f} s, tests "
            f"{dbt['test']:.1f} s, unit tests {dbt['unit_test']:.1f} s (node time, 2 threads) |",
        ]
        if not args.skip_pandas:
            pandas = run_pandas(landing, work)
            pandas_cpu = children_cpu_seconds() - dbt_cpu
            same = all(abs(pandas["summary"][k] - v) < 1e-6 for k, v in summary.items())
            rows.append(
                f"| pandas reference (same marts, no tests) | {pandas['seconds']:.1f} | "
                f"{pandas_cpu:.0f} | {pandas['peak_rss_mib']:.0f} | figures equal dbt's: {same} |"
            )
            rows.append(
                f"| ratio pandas / dbt | {pandas['seconds'] / dbt['wall']:.2f}x "
                f"| {pandas_cpu / dbt_cpu:.2f}x | | wall and CPU, whole build |"
            )
        print("\n".join(rows))
        print()
        print("| figure | value |\n|---|---:|")
        for key, value in summary.items():
            print(f"| {key} | {value:,.0f} |")


if __name__ == "__main__":
    main()
