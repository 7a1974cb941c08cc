"""`supportlens quality [--stage landing|marts|all]`: run the GX checkpoints.

Exit 0 when no error-severity expectation failed (warnings are shown), 1 when one did —
the summary names suite, expectation and column — and 2 when the run itself could not
happen (unknown suite, unreadable data).
"""

from __future__ import annotations

import argparse
import logging

from supportlens.config import Settings
from supportlens.quality.data import QualityDataError
from supportlens.quality.project import write_project
from supportlens.quality.results import SKIPPED
from supportlens.quality.runner import RunReport, run_quality, suite_specs
from supportlens.quality.spec import Severity, Stage

log = logging.getLogger(__name__)

STAGES = {"landing": [Stage.LANDING], "marts": [Stage.MARTS], "all": [Stage.LANDING, Stage.MARTS]}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--stage", choices=sorted(STAGES), default="all", help="which checkpoints to run"
    )
    parser.add_argument(
        "--suite", action="append", default=None, help="run only this suite (repeatable)"
    )
    parser.add_argument(
        "--no-docs",
        action="store_true",
        help="do not rebuild the Data Docs (a later run renders this run's results too)",
    )
    parser.add_argument(
        "--write-project",
        action="store_true",
        help="only (re)write the GX project under gx/ from the suite definitions",
    )


def _fmt(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def summarize(report: RunReport) -> str:
    """The CLI summary: a table per suite, then every failure on its own line."""
    lines = [
        f"quality run {report.run_id} ({report.duration_s:.1f} s)",
        "",
        "| suite | status | rows | completeness | consistency | errors | warnings |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for o in report.outcomes:
        lines.append(
            f"| {o.suite} | {o.status} | {o.row_count if o.row_count is not None else '-'} | "
            f"{_fmt(o.completeness)} | {_fmt(o.consistency)} | "
            f"{len(o.failures(Severity.ERROR))} | {len(o.failures(Severity.WARNING))} |"
        )
    notes = [f"  {o.suite}: {o.message}" for o in report.outcomes if o.message]
    if notes:
        lines += ["", "notes:", *notes]
    failures = report.failures(Severity.ERROR) + report.failures(Severity.WARNING)
    if failures:
        lines += ["", "failed expectations:", *(f"  {f.describe()}" for f in failures)]
    if report.docs_index is not None:
        lines += ["", f"data docs: {report.docs_index}"]
    return "\n".join(lines)


def run(args: argparse.Namespace, settings: Settings) -> int:
    stages = STAGES[args.stage]
    if args.write_project:
        root = write_project(settings, suite_specs(stages))
        print(f"GX project written: {root}")
        return 0
    try:
        report = run_quality(settings, stages, args.suite, build_docs=not args.no_docs)
    except (ValueError, QualityDataError) as exc:
        print(f"supportlens quality: {exc}")
        return 2
    print(summarize(report))
    if all(o.status == SKIPPED for o in report.outcomes):
        print(f"\nsupportlens quality: nothing to validate for stage '{args.stage}'.")
        return 1
    failed = report.failed_suites
    if failed:
        names = ", ".join(o.suite for o in failed)
        print(f"\nsupportlens quality: FAILED — error-severity expectations failed in: {names}")
        return 1
    return 0
