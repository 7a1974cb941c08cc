"""The Great Expectations file context under `gx/`, (re)written from the suite definitions.

The suites, validation definitions and checkpoints under `gx/` are generated from code
(`landing_suites.py`, `mart_suites.py`) on every run, so the checked-in JSON can never drift
from what runs. Data Docs go to `settings.paths.gx_docs_dir`, which enters
`great_expectations.yml` as the substitution variable `${gx_docs_dir}`; validation results
stay in `gx/uncommitted/` (git-ignored).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import great_expectations as gx
from great_expectations.checkpoint import Checkpoint
from great_expectations.core.validation_definition import ValidationDefinition
from great_expectations.data_context import FileDataContext
from great_expectations.data_context.types.base import ProgressBarsConfig

from supportlens.config import Settings
from supportlens.quality.spec import SuiteSpec

log = logging.getLogger(__name__)

GX_DIR_NAME = "gx"
DATASOURCE = "supportlens"
BATCH_DEFINITION = "whole_frame"
DOCS_SITE = "local_site"
DOCS_SITE_CONFIG: dict[str, Any] = {
    "class_name": "SiteBuilder",
    "show_how_to_buttons": False,
    "store_backend": {
        "class_name": "TupleFilesystemStoreBackend",
        "base_directory": "${gx_docs_dir}",
    },
    "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
}


def gx_root(settings: Settings) -> Path:
    return settings.project_root / GX_DIR_NAME


def open_context(settings: Settings) -> FileDataContext:
    """The file context (created on first use) with Data Docs pointed at gx_docs_dir."""
    docs_dir = settings.paths.gx_docs_dir
    docs_dir.mkdir(parents=True, exist_ok=True)
    context = gx.get_context(
        mode="file",
        project_root_dir=str(settings.project_root),
        runtime_environment={"gx_docs_dir": str(docs_dir)},
    )
    assert isinstance(context, FileDataContext)
    return context


def _configure_context(context: FileDataContext) -> None:
    """Docs site at ${gx_docs_dir} and no GX progress bars; saved only when it changes."""
    sites = context.variables.data_docs_sites or {}
    if sites.get(DOCS_SITE) != DOCS_SITE_CONFIG:
        if DOCS_SITE in sites:
            context.update_data_docs_site(DOCS_SITE, DOCS_SITE_CONFIG)  # type: ignore[arg-type]
        else:
            context.add_data_docs_site(DOCS_SITE, DOCS_SITE_CONFIG)  # type: ignore[arg-type]
    bars = context.variables.progress_bars
    # Read back from YAML the setting is a plain dict; freshly set, a ProgressBarsConfig.
    shown = dict(bars) if isinstance(bars, dict) else vars(bars) if bars is not None else {}
    if shown.get("globally", True) or shown.get("metric_calculations", True):
        context.variables.progress_bars = ProgressBarsConfig(
            globally=False, metric_calculations=False
        )
        context.variables.save()


def build_suite(spec: SuiteSpec) -> gx.ExpectationSuite:
    return gx.ExpectationSuite(
        name=spec.name,
        expectations=[check.build() for check in spec.checks],
        meta={
            "stage": spec.stage.value,
            "source": spec.source,
            "table": spec.table,
            "generated_by": "supportlens.quality (edit the suite definitions, not this file)",
        },
    )


def _same_expectations(stored: gx.ExpectationSuite, wanted: gx.ExpectationSuite) -> bool:
    def shape(suite: gx.ExpectationSuite) -> list[Any]:
        return [
            (e.expectation_type, e.configuration.kwargs, e.severity, e.meta)
            for e in suite.expectations
        ]

    return shape(stored) == shape(wanted) and stored.meta == wanted.meta


def _sync_suite(context: FileDataContext, spec: SuiteSpec) -> gx.ExpectationSuite:
    wanted = build_suite(spec)
    try:
        stored = context.suites.get(spec.name)
    except Exception:  # GX raises its own not-found errors; any failure means "rewrite"
        return context.suites.add(wanted)
    if _same_expectations(stored, wanted):
        return stored
    log.info("rewriting GX suite", extra={"suite": spec.name})
    context.suites.delete(spec.name)
    return context.suites.add(wanted)


def _sync_checkpoint(
    context: FileDataContext, name: str, batch: Any, suite: gx.ExpectationSuite
) -> Checkpoint:
    """Validation definition + checkpoint named after the suite, written only when missing.

    Their content follows from the suite name alone, and GX's `add_or_update` compares
    whole suites expectation by expectation, which costs seconds per suite.
    """
    try:
        definition = context.validation_definitions.get(name)
    except Exception:  # GX's not-found errors differ between stores
        definition = context.validation_definitions.add(
            ValidationDefinition(name=name, data=batch, suite=suite)
        )
    try:
        return context.checkpoints.get(name)
    except Exception:
        return context.checkpoints.add(
            Checkpoint(name=name, validation_definitions=[definition], actions=[])
        )


def sync_project(context: FileDataContext, specs: list[SuiteSpec]) -> dict[str, Checkpoint]:
    """Make the context hold exactly these suites; return one checkpoint per suite."""
    _configure_context(context)
    try:
        datasource = context.data_sources.get(DATASOURCE)
    except KeyError:
        datasource = context.data_sources.add_pandas(DATASOURCE)
    checkpoints: dict[str, Checkpoint] = {}
    for spec in specs:
        try:
            asset = datasource.get_asset(spec.name)
        except LookupError:
            asset = datasource.add_dataframe_asset(spec.name)
        try:
            batch = asset.get_batch_definition(BATCH_DEFINITION)
        except KeyError:
            batch = asset.add_batch_definition_whole_dataframe(BATCH_DEFINITION)
        suite = _sync_suite(context, spec)
        checkpoints[spec.name] = _sync_checkpoint(context, spec.name, batch, suite)
    return checkpoints


def write_project(settings: Settings, specs: list[SuiteSpec]) -> Path:
    """(Re)write the GX project for these suites without validating anything."""
    context = open_context(settings)
    sync_project(context, specs)
    return gx_root(settings)


def latest_results(context: FileDataContext, keep: int) -> list[Any]:
    """The newest validation result per suite; results beyond the newest `keep` per suite
    are deleted so the Data Docs index (which lists every stored result) stays bounded."""
    by_suite: dict[str, list[Any]] = {}
    for key in context.validation_results_store.list_keys():
        by_suite.setdefault(key.expectation_suite_identifier.name, []).append(key)
    latest = []
    for keys in by_suite.values():
        keys.sort(key=lambda k: k.run_id.run_time, reverse=True)
        latest.append(keys[0])
        for old in keys[keep:]:
            context.validation_results_store.remove_key(old)
    return latest
