"""Build the static report site from the published snapshot with Evidence's npm scripts.

Steps, in a fresh workspace per build (`project.prepare_workspace`): hard-link (or copy)
the published snapshot into the Evidence source folder, run Evidence's sources step (each
`sources/supportlens/*.sql` result to Parquet), give every query that returned no rows an
empty Parquet file of its columns, build the static site, and move it into the output
folder by rename, so readers of the old site never see half a new one.

Only the published snapshot is read: the working warehouse may be locked by a writer,
and DuckDB refuses even read-only opens of a locked file.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
from tqdm import tqdm

from supportlens.config import Settings
from supportlens.report.lock import build_lock
from supportlens.report.project import (
    DEFAULT_PROJECT_DIR,
    SOURCE_NAME,
    STAGED_SNAPSHOT_NAME,
    ReportError,
    check_project,
    prepare_workspace,
    remove_stale_workspaces,
    workspace_for,
)
from supportlens.warehouse import WarehouseNotPublishedError

log = logging.getLogger(__name__)

SOURCE_FAILURE_MARKERS = ("✖",)
#: Where `evidence sources` writes its Parquet and manifest, inside a workspace.
DATA_DIR = Path(".evidence") / "template" / "static" / "data"
#: Evidence column types (`<query>.schema.json`) as DuckDB types, for empty results.
EVIDENCE_TYPES = {
    "number": "DOUBLE",
    "string": "VARCHAR",
    "date": "TIMESTAMP",
    "boolean": "BOOLEAN",
}


@contextlib.contextmanager
def staged_snapshot(published: Path, project_dir: Path) -> Iterator[Path]:
    """Put the snapshot where Evidence's DuckDB source looks for it, for the sources step.

    A hard link is instant and pins the snapshot being read: `publish` replaces the
    published file by rename, so a concurrent publish cannot change what we read. Across
    file systems the snapshot is copied instead.
    """
    if not published.is_file():
        raise WarehouseNotPublishedError(
            f"{published}: no published warehouse yet; run `supportlens run` "
            "(or `supportlens build` then `supportlens publish`)"
        )
    target = project_dir / "sources" / SOURCE_NAME / STAGED_SNAPSHOT_NAME
    target.unlink(missing_ok=True)
    # The published path is a (relative) symlink to the current versioned snapshot; link
    # the snapshot file itself; a link to the symlink would dangle in the project folder.
    snapshot = published.resolve()
    try:
        os.link(snapshot, target)
    except OSError:
        shutil.copyfile(snapshot, target)
    try:
        yield target
    finally:
        target.unlink(missing_ok=True)


def evidence_env(settings: Settings) -> dict[str, str]:
    env = settings.env_for_subprocesses()
    # evidence.settings.json turns telemetry off; these keep npm itself quiet and offline.
    env.update(
        {
            "NPM_CONFIG_UPDATE_NOTIFIER": "false",
            "NPM_CONFIG_FUND": "false",
            "NPM_CONFIG_AUDIT": "false",
            "NODE_OPTIONS": env.get("NODE_OPTIONS", "--max-old-space-size=4096"),
        }
    )
    return env


def run_npm(script: str, project_dir: Path, env: dict[str, str], log_file: Path) -> str:
    """Run `npm run <script>` with output to `log_file`; raise with its tail on failure."""
    started = time.perf_counter()
    with log_file.open("w", encoding="utf-8") as out:
        code = subprocess.call(
            ["npm", "run", "--silent", script],
            cwd=project_dir,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    output = log_file.read_text(encoding="utf-8", errors="replace")
    elapsed = time.perf_counter() - started
    log.info("evidence step done", extra={"step": script, "seconds": round(elapsed, 1)})
    if code != 0:
        tail = "\n".join(output.splitlines()[-40:])
        raise ReportError(
            f"`npm run {script}` failed in {project_dir} (exit {code}); log {log_file}:\n{tail}"
        )
    return output


def failed_sources(sources_output: str) -> list[str]:
    """Source queries that Evidence reported as failed (it still exits 0 for those)."""
    failed = []
    for line in sources_output.splitlines():
        text = line.strip()
        if text.endswith(".duckdb") or STAGED_SNAPSHOT_NAME.removesuffix(".duckdb") in text:
            continue
        if any(marker in text for marker in SOURCE_FAILURE_MARKERS):
            failed.append(text)
    return failed


def write_empty_results(workspace: Path) -> list[str]:
    """Give each query that returned no rows an empty Parquet file; returns their names.

    Evidence lists such a query in its manifest but writes no file, so the browser has no
    table to read (the page shows an error) or, in a reused project folder, reads the file
    of an earlier build. An empty file of the query's columns makes the page show the
    query as empty ("No data for this snapshot"), which is what the snapshot holds.
    """
    data_dir = workspace / DATA_DIR
    manifest_file = data_dir / "manifest.json"
    if not manifest_file.is_file():
        return []
    manifest = json.loads(manifest_file.read_text(encoding="utf-8"))
    empty: list[str] = []
    for source, urls in manifest.get("renderedFiles", {}).items():
        for url in urls:
            # <url prefix>/<source>/<query>/<query>.parquet
            query_dir = data_dir / source / Path(url).parent.name
            parquet = query_dir / Path(url).name
            if parquet.is_file():
                continue
            schema_file = query_dir / f"{Path(url).stem}.schema.json"
            columns = json.loads(schema_file.read_text(encoding="utf-8"))
            if not columns:
                raise ReportError(f"{schema_file}: query returned no rows and no column types")
            selects = ", ".join(
                f'cast(null as {EVIDENCE_TYPES.get(c["evidenceType"], "VARCHAR")}) as "{c["name"]}"'
                for c in columns
            )
            duckdb.sql(f"copy (select {selects} where false) to '{parquet}' (format parquet)")
            empty.append(f"{source}.{Path(url).stem}")
    return empty


def build_site(
    settings: Settings, project_dir: Path = DEFAULT_PROJECT_DIR, target: Path | None = None
) -> Path:
    """Build the site of the published snapshot into `target` (default: reports_build_dir)."""
    project_dir = project_dir.resolve()
    target = (target or settings.paths.reports_build_dir).resolve()
    check_project(project_dir)
    env = evidence_env(settings)
    logs_dir = Path(tempfile.mkdtemp(prefix="supportlens-report-"))
    with build_lock(target), tqdm(total=3, desc="report", unit="step") as progress:
        remove_stale_workspaces(target)
        workspace = prepare_workspace(project_dir, workspace_for(target))
        try:
            with staged_snapshot(settings.paths.published, workspace):
                progress.set_postfix_str("evidence sources")
                output = run_npm("sources", workspace, env, logs_dir / "sources.log")
            _report_problems(settings, failed_sources(output), write_empty_results(workspace))
            progress.update()
            progress.set_postfix_str("evidence build")
            run_npm("build", workspace, env, logs_dir / "build.log")
            progress.update()
            progress.set_postfix_str("publish site")
            built = workspace / "build"
            if not (built / "index.html").is_file():
                raise ReportError(f"{built}: Evidence finished but wrote no index.html")
            _replace_dir(built, target)
            progress.update()
        finally:
            shutil.rmtree(workspace, ignore_errors=True)
    shutil.rmtree(logs_dir, ignore_errors=True)
    return target


def _report_problems(settings: Settings, failed: list[str], empty: list[str]) -> None:
    snapshot = settings.paths.published
    if failed:
        # A missing optional mart (e.g. before the first training run) must not stop
        # the pipeline: the site still builds and the figures that need it say so.
        log.warning(
            "some source queries failed; their figures will show an error",
            extra={"snapshot": str(snapshot), "failed": failed},
        )
        print(
            "supportlens report: warning: these source queries failed on "
            f"{snapshot} (a mart missing or renamed?):\n  " + "\n  ".join(failed)
        )
    if empty:
        log.info("source queries without rows", extra={"snapshot": str(snapshot), "empty": empty})
        print(f"supportlens report: no data in {snapshot} for: {', '.join(empty)}")


def _replace_dir(source: Path, target: Path) -> None:
    """Move `source` to `target` by rename, so readers never see half a site."""
    target.parent.mkdir(parents=True, exist_ok=True)
    old = target.with_name(f".{target.name}.{os.getpid()}.old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        target.rename(old)
    try:
        source.rename(target)
    except OSError:
        shutil.copytree(source, target)
    shutil.rmtree(old, ignore_errors=True)
