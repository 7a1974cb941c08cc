"""Benchmark: the same dbt project and bulk scoring on DuckDB and on Spark (local mode).

Usage:
  python benchmarks/spark_vs_duckdb.py [--scale sample|small] [--skip-scoring]

Generates and lands the data at the given scale into a temporary folder, then, in the
same run on the same machine:
  - `supportlens build` (DuckDB, the whole project: models, tests, contracts) against
    `dbt build --target spark --selector spark` (Spark local[2], same project, same
    Parquet), wall time and the dbt process's peak RSS (the Spark JVM runs inside it);
  - scoring the built ml_scoring_inputs with the TF-IDF baseline: the local scorer
    (`supportlens predict --input`) against `supportlens predict --engine spark`.
Prints a markdown table. Spark local mode on one small machine is expected to be slower:
it is there to show the project runs unchanged where a cluster makes it pay.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

REPO_ROOT = Path(__file__).resolve().parents[1]


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall seconds and peak RSS (MiB, the largest process of the command's tree)."""
    start = time.perf_counter()
    with tempfile.TemporaryFile("w+") as out:
        process = subprocess.Popen(command, cwd=REPO_ROOT, env=env, stdout=out, stderr=out)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            out.seek(0)
            sys.exit(f"{' '.join(command)} failed:\n{out.read()[-6000:]}")
    return wall, usage.ru_maxrss / 1024


def _nodes(run_results: Path) -> str:
    results = json.loads(run_results.read_text())["results"]
    models = sum(r["unique_id"].startswith("model.") for r in results)
    tests = sum(r["unique_id"].startswith(("test.", "unit_test.")) for r in results)
    return f"{models} models, {tests} tests"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="sample", choices=("sample", "small"))
    parser.add_argument("--skip-scoring", action="store_true")
    args = parser.parse_args()
    supportlens = [sys.executable, "-m", "supportlens.cli"]
    dbt = str(Path(sys.executable).with_name("dbt"))
    with tempfile.TemporaryDirectory(prefix="spark_vs_duckdb_") as folder:
        tmp = Path(folder)
        env = dict(os.environ)
        env.update(
            {
                "SUPPORTLENS_PATHS_RAW_DIR": str(tmp / "raw"),
                "SUPPORTLENS_PATHS_LANDING_DIR": str(tmp / "landing"),
                "SUPPORTLENS_PATHS_WAREHOUSE": str(tmp / "wh" / "supportlens.duckdb"),
                "SUPPORTLENS_PATHS_REGISTRY_DIR": str(tmp / "models"),
                "SUPPORTLENS_PATHS_PUBLISHED": str(tmp / "published.duckdb"),
                "SUPPORTLENS_SPARK_DIR": str(tmp / "spark"),
                "DBT_LOG_PATH": str(tmp / "dbt_logs"),
            }
        )
        _run([*supportlens, "generate", "--scale", args.scale], env)
        _run([*supportlens, "land"], env)
        rows: list[tuple[str, str, float, float]] = []
        wall, rss = _run([*supportlens, "build", "--target-path", str(tmp / "t_duckdb")], env)
        rows.append(("dbt build, DuckDB", _nodes(tmp / "t_duckdb" / "run_results.json"), wall, rss))
        spark_build = [dbt, "build", "--target", "spark", "--selector", "spark",
                       "--target-path", str(tmp / "t_spark")]  # fmt: skip
        wall, rss = _run(spark_build, env)
        rows.append(("dbt build, Spark local[2]", _nodes(tmp / "t_spark" / "run_results.json"),
                     wall, rss))  # fmt: skip
        if not args.skip_scoring:
            _run([*supportlens, "train", "--config", "ml/configs/baseline.yaml",
                  "--label-set", "banking77"], env)  # fmt: skip
            inputs = tmp / "inputs.parquet"
            with duckdb.connect(env["SUPPORTLENS_PATHS_WAREHOUSE"], read_only=True) as conn:
                conn.execute(
                    f"copy (select * from ml_scoring_inputs where label_set = 'banking77') "
                    f"to '{inputs}' (format parquet)"
                )
                n = conn.execute(f"select count(*) from '{inputs}'").fetchone()[0]
            wall, rss = _run([*supportlens, "predict", "--input", str(inputs), "--output",
                              str(tmp / "local.parquet"), "--skip-empty"], env)  # fmt: skip
            rows.append(("predict, local scorer", f"{n} texts", wall, rss))
            wall, rss = _run([*supportlens, "predict", "--engine", "spark", "--input",
                              str(inputs), "--output", str(tmp / "spark_out")], env)  # fmt: skip
            rows.append(("predict --engine spark (mapInPandas)", f"{n} texts", wall, rss))
    print(f"| run ({args.scale} data) | work | wall s | peak RSS MiB |")
    print("|---|---|---:|---:|")
    for name, work, wall, rss in rows:
        print(f"| {name} | {work} | {wall:.1f} | {rss:,.0f} |")


if __name__ == "__main__":
    main()
