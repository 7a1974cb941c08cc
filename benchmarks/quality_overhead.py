"""How much the Great Expectations step adds to the main job, on the embedded sample data.

Runs `supportlens run --skip-report` (generate → land → quality (landing) → dbt build →
train → evaluate → predict → … → quality (marts) → publish) in a scratch folder and prints
each stage's wall time and the GX stages' share of the total as a markdown table. The
target is ≤ 20 %.

    python benchmarks/quality_overhead.py [--scale sample] [--keep DIR]

Stages that are not ready yet make the job stop early; the table then says so and reports
the share of what ran.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

STAGE_LINE = re.compile(r"^\s{2}(?P<name>.+?)\s+(?P<seconds>\d+\.\d)\s+s$")
PATH_KEYS = ("raw_dir", "landing_dir", "warehouse", "published", "registry_dir", "gx_docs_dir")


#: The main job with `--no-docs` added to its landing quality stage.
JOB_WITH_LANDING_NO_DOCS = """
import sys
from supportlens.cli import main
from supportlens.commands import run as job
original = job.plan
def plan(args):
    stages = original(args)
    return [job.Stage(s.name, [*s.argv, "--no-docs"]) if s.name == "quality (landing)" else s
            for s in stages]
job.plan = plan
sys.exit(main(sys.argv[1:]))
"""


def scratch_env(root: Path) -> dict[str, str]:
    env = dict(os.environ)
    layout = {
        "raw_dir": root / "raw",
        "landing_dir": root / "landing",
        "warehouse": root / "warehouse" / "supportlens.duckdb",
        "published": root / "published" / "supportlens.duckdb",
        "registry_dir": root / "models",
        "gx_docs_dir": root / "gx_docs",
    }
    for key in PATH_KEYS:
        env[f"SUPPORTLENS_PATHS_{key.upper()}"] = str(layout[key])
    env.setdefault("HF_HUB_OFFLINE", "1")
    return env


def parse_timings(output: str) -> list[tuple[str, float]]:
    timings, inside = [], False
    for line in output.splitlines():
        if line.strip() == "stage timings":
            inside = True
            continue
        if inside:
            match = STAGE_LINE.match(line)
            if not match:
                break
            timings.append((match["name"], float(match["seconds"])))
    return timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", default="sample")
    parser.add_argument("--keep", type=Path, default=None, help="scratch folder to keep")
    parser.add_argument(
        "--landing-no-docs",
        action="store_true",
        help="run the landing checkpoints with --no-docs (the marts stage then renders both), "
        "the configuration proposed for supportlens run",
    )
    args = parser.parse_args()
    root = args.keep or Path(tempfile.mkdtemp(prefix="supportlens-gx-bench-"))
    root.mkdir(parents=True, exist_ok=True)
    job_args = ["run", "--scale", args.scale, "--skip-report"]
    command = [sys.executable, "-c", JOB_WITH_LANDING_NO_DOCS if args.landing_no_docs
               else "import sys; from supportlens.cli import main; sys.exit(main(sys.argv[1:]))",
               *job_args]  # fmt: skip
    started = time.perf_counter()
    proc = subprocess.run(command, env=scratch_env(root), capture_output=True, text=True)
    wall = time.perf_counter() - started
    timings = [(n, s) for n, s in parse_timings(proc.stdout) if n != "total"]
    if not timings:
        print(proc.stdout[-3000:], proc.stderr[-3000:], sep="\n")
        print(f"no stage timings: the job failed before its first stage (exit {proc.returncode})")
        return 1
    total = sum(s for _, s in timings)
    gx_seconds = sum(s for n, s in timings if n.startswith("quality"))
    variant = " (landing checkpoints with --no-docs)" if args.landing_no_docs else ""
    print(f"main job on `{args.scale}` data{variant}, scratch folder {root}\n")
    print("| stage | wall time (s) | share |")
    print("|---|---:|---:|")
    for name, seconds in timings:
        print(f"| {name} | {seconds:.1f} | {seconds / total:.1%} |")
    print(f"| **total (stages)** | **{total:.1f}** | 100% |")
    print(
        f"| GX stages (quality landing + marts) | {gx_seconds:.1f} | **{gx_seconds / total:.1%}** |"
    )
    print(f"\nprocess wall time incl. start-up: {wall:.1f} s; exit code {proc.returncode}")
    if proc.returncode != 0:
        print("NOTE: the job stopped early; the share covers the stages that ran:")
        print("\n".join(proc.stdout.splitlines()[-5:]))
    verdict = "meets" if gx_seconds <= 0.2 * total else "misses"
    print(f"GX share {gx_seconds / total:.1%} {verdict} the ≤ 20 % target")
    return 0


if __name__ == "__main__":
    sys.exit(main())
