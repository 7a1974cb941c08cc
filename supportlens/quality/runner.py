"""Run the checkpoints of one or both stages and record the outcomes in the warehouse."""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import great_expectations as gx
import pandas as pd
from great_expectations.checkpoint import Checkpoint
from great_expectations.core.run_identifier import RunIdentifier
from great_expectations.data_context.types.resource_identifiers import (
    ExpectationSuiteIdentifier,
)
from tqdm import tqdm

from supportlens.config import Settings
from supportlens.quality import docs_assets, parameters, project
from supportlens.quality.checks import TYPE_MISMATCHES
from supportlens.quality.data import landing_glob, load_frame
from supportlens.quality.landing_suites import landing_suites
from supportlens.quality.mart_suites import mart_suites
from supportlens.quality.results import (
    ERROR,
    PASSED,
    SKIPPED,
    WARNING,
    ExpectationOutcome,
    SuiteOutcome,
    ensure_tables,
    previous_row_count,
    write_outcomes,
)
from supportlens.quality.scores import load_scores
from supportlens.quality.spec import Severity, Stage, SuiteSpec
from supportlens.warehouse import writer

log = logging.getLogger(__name__)

#: Validation results kept per suite in gx/uncommitted (older ones are pruned).
KEEP_RESULTS_PER_SUITE = 10
#: Longest observed value / example list kept per expectation result.
MAX_DETAIL_CHARS = 300


@dataclass
class RunReport:
    run_id: str
    outcomes: list[SuiteOutcome]
    docs_index: Path | None
    duration_s: float

    def failures(self, severity: Severity) -> list[ExpectationOutcome]:
        return [f for o in self.outcomes for f in o.failures(severity)]

    @property
    def failed_suites(self) -> list[SuiteOutcome]:
        return [o for o in self.outcomes if o.status == ERROR]


def suite_specs(stages: list[Stage], names: list[str] | None = None) -> list[SuiteSpec]:
    specs = [
        *(landing_suites() if Stage.LANDING in stages else []),
        *(mart_suites() if Stage.MARTS in stages else []),
    ]
    if names:
        unknown = set(names) - {s.name for s in specs}
        if unknown:
            known = ", ".join(s.name for s in specs)
            raise ValueError(f"unknown suite(s) {sorted(unknown)}; known: {known}")
        specs = [s for s in specs if s.name in names]
    return specs


def _short(value: Any) -> str | None:
    if value is None:
        return None
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= MAX_DETAIL_CHARS else text[: MAX_DETAIL_CHARS - 1] + "…"


def _exception_text(info: Any) -> str | None:
    """GX reports exceptions either flat or keyed by metric; keep the first message."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return _short(info.get("exception_message"))
    for nested in info.values():
        if isinstance(nested, dict) and nested.get("raised_exception"):
            return _short(nested.get("exception_message"))
    return None


def _outcome(suite: str, result: Any) -> ExpectationOutcome:
    config = result.expectation_config
    kwargs = dict(config.kwargs)
    details = result.result or {}
    column = kwargs.get("column")
    observed = details.get("observed_value")
    if column is None and kwargs.get("column_list"):
        column = ",".join(kwargs["column_list"])
    mismatch = (details.get("details") or {}).get("mismatched")
    if config.type == "expect_table_columns_to_match_set" and mismatch:
        # Name the columns at fault rather than listing every observed column.
        missing, extra = mismatch.get("missing") or [], mismatch.get("unexpected") or []
        column = ",".join([*missing, *extra]) or None
        observed = {"missing": missing, "unexpected": extra}
    partial = details.get("partial_unexpected_list")
    if column == TYPE_MISMATCHES and partial:
        # Name the columns with the wrong type ("turn_index is BIGINT, expected INTEGER").
        column = ",".join(p.split(" is ")[0] for p in str(partial[0]).split("; "))
    return ExpectationOutcome(
        suite=suite,
        expectation_id=str(config.id),
        expectation_type=config.type,
        column_name=column,
        dimension=str((config.meta or {}).get("dimension", "")),
        severity=Severity.from_gx(config.severity),
        success=bool(result.success),
        element_count=details.get("element_count"),
        unexpected_count=details.get("unexpected_count"),
        unexpected_percent=details.get("unexpected_percent"),
        observed_value=_short(observed),
        partial_unexpected=_short(partial[:5]) if partial else None,
        kwargs_json=json.dumps(kwargs, default=str, sort_keys=True),
        exception=_exception_text(result.exception_info),
    )


def _status(expectations: list[ExpectationOutcome]) -> str:
    failed = {e.severity for e in expectations if not e.success}
    if Severity.ERROR in failed:
        return ERROR
    return WARNING if Severity.WARNING in failed else PASSED


def validate_suite(
    conn: Any,
    settings: Settings,
    spec: SuiteSpec,
    checkpoint: Checkpoint,
    shared_parameters: dict[str, Any],
    run_id: str,
    rendered: list[Any],
) -> SuiteOutcome:
    """Validate one suite; its validation-result identifiers are appended to `rendered`."""
    started = datetime.now(UTC)
    loaded = load_frame(conn, settings, spec)
    if loaded is None:
        # A source may simply not be used; a missing mart means dbt did not build it.
        missing_status = SKIPPED if spec.stage is Stage.LANDING else ERROR
        where = landing_glob(settings, spec) if spec.stage is Stage.LANDING else spec.table
        return SuiteOutcome(
            suite=spec.name,
            stage=spec.stage.value,
            source=spec.source,
            table_name=spec.table,
            status=missing_status,
            started_at=started,
            finished_at=datetime.now(UTC),
            message=f"no data: {where} does not exist",
        )
    frame = loaded.frame
    previous = previous_row_count(conn, spec.name)
    params = {**shared_parameters, **parameters.volume_parameters(previous)}
    result = checkpoint.run(
        batch_parameters={"dataframe": frame},
        expectation_parameters=params,
        run_id=RunIdentifier(run_name=run_id),
    )
    rendered.extend(result.run_results.keys())
    expectations = [
        _outcome(spec.name, r) for vr in result.run_results.values() for r in vr.results
    ]
    load_ids = (
        sorted(str(v) for v in frame["_load_id"].dropna().unique())
        if "_load_id" in frame.columns
        else []
    )
    return SuiteOutcome(
        suite=spec.name,
        stage=spec.stage.value,
        source=spec.source,
        table_name=spec.table,
        status=_status(expectations),
        started_at=started,
        finished_at=datetime.now(UTC),
        row_count=len(frame),
        previous_row_count=previous,
        load_ids=load_ids,
        expectations=expectations,
        scores=load_scores(frame, spec),
    )


def new_run_id(now: datetime) -> str:
    return f"{now:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"


def run_quality(
    settings: Settings,
    stages: list[Stage],
    suite_names: list[str] | None = None,
    build_docs: bool = True,
) -> RunReport:
    specs = suite_specs(stages, suite_names)
    started = datetime.now(UTC)
    run_id = new_run_id(started)
    context = project.open_context(settings)
    checkpoints = project.sync_project(context, specs)
    outcomes: list[SuiteOutcome] = []
    rendered: list[Any] = [ExpectationSuiteIdentifier(name=spec.name) for spec in specs]
    with writer(settings) as conn:
        conn.execute("set TimeZone = 'UTC'")
        ensure_tables(conn)
        shared = {
            **parameters.catalogue_parameters(conn, settings),
            **parameters.time_parameters(pd.Timestamp(started)),
        }
        for spec in tqdm(specs, desc="quality", unit="suite", leave=False):
            outcome = validate_suite(
                conn, settings, spec, checkpoints[spec.name], shared, run_id, rendered
            )
            log.info(
                "suite validated",
                extra={"suite": spec.name, "status": outcome.status, "rows": outcome.row_count},
            )
            outcomes.append(outcome)
        write_outcomes(conn, run_id, outcomes, gx.__version__)
    docs_index = None
    if build_docs:
        # Render the newest result of every suite (this run's, and earlier stages' when those
        # ran with --no-docs) instead of the whole history.
        rendered += project.latest_results(context, keep=KEEP_RESULTS_PER_SUITE)
        context.build_data_docs(site_names=[project.DOCS_SITE], resource_identifiers=rendered)
        docs_assets.localize(settings)
        docs_index = settings.paths.gx_docs_dir / "index.html"
    duration = (datetime.now(UTC) - started).total_seconds()
    return RunReport(run_id, outcomes, docs_index, duration)
