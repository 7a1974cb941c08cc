"""The Evidence project shipped with the code, and the private workspace a build runs in.

Evidence builds inside its project folder: `evidence sources` caches query results as
Parquet under `.evidence/`, and `evidence build` always writes `build/`. Two consequences
bit users: a query that returned no rows wrote no file, so the next build served the
Parquet of an *earlier* build (another snapshot's data); and every build, a test's
included, overwrote (and, with another target, deleted) the site in `reports/build`.

So each build copies the project's sources and pages into a fresh workspace beside its
output folder (same file system: the snapshot can be hard-linked and the site moved by
rename) and shares only the installed `node_modules`, through a symlink. Every build
starts from an empty source cache and touches no other build's files.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from supportlens.config import PACKAGE_ROOT

#: The Evidence project shipped with the code.
DEFAULT_PROJECT_DIR = PACKAGE_ROOT / "reports"
#: Evidence source folder and the file name the snapshot is staged under. The name must
#: differ from every `.sql` file in the folder (Evidence treats both as tables).
SOURCE_NAME = "supportlens"
STAGED_SNAPSHOT_NAME = "published_snapshot.duckdb"
#: What a build generates or installs in a project folder: never copied into a workspace.
GENERATED = frozenset({"node_modules", "build", ".evidence", ".svelte-kit", "static/data"})
WORKSPACE_SUFFIX = ".work"


class ReportError(RuntimeError):
    """A report step failed; the message names the step and what to do."""


@dataclass(frozen=True)
class Page:
    name: str
    route: str


def page_routes(project_dir: Path = DEFAULT_PROJECT_DIR) -> list[Page]:
    """Every report page, from the `pages/*.md` files (`index.md` is the overview at `/`)."""
    pages = []
    for path in sorted((project_dir / "pages").glob("*.md")):
        if path.stem == "index":
            pages.append(Page("overview", "/"))
        else:
            pages.append(Page(path.stem, f"/{path.stem}/"))
    pages.sort(key=lambda page: page.route != "/")
    return pages


def check_project(project_dir: Path) -> None:
    if not (project_dir / "package.json").is_file():
        raise ReportError(f"{project_dir}: not an Evidence project (no package.json)")
    if not (project_dir / "node_modules" / "@evidence-dev" / "evidence").is_dir():
        raise ReportError(
            f"{project_dir / 'node_modules'}: Evidence is not installed; run `npm ci` in "
            f"{project_dir}"
        )
    if shutil.which("npm") is None:
        raise ReportError("npm not found on PATH: install Node.js 20 to build the reports")


def workspace_for(target: Path) -> Path:
    """The private workspace of this process's build of `target` (beside it)."""
    return target.with_name(f".{target.name}.{os.getpid()}{WORKSPACE_SUFFIX}")


def remove_stale_workspaces(target: Path) -> list[Path]:
    """Workspaces (and set-aside old sites) of killed builds; call with the build lock held."""
    stale = sorted(target.parent.glob(f".{target.name}.*{WORKSPACE_SUFFIX}"))
    stale += sorted(target.parent.glob(f".{target.name}.*.old"))
    for folder in stale:
        shutil.rmtree(folder, ignore_errors=True)
    return stale


def _ignore_generated(project_dir: Path) -> Callable[[str, list[str]], set[str]]:
    def ignore(folder: str, names: list[str]) -> set[str]:
        relative = Path(folder).relative_to(project_dir)
        skipped = {n for n in names if (relative / n).as_posix() in GENERATED}
        # Staged snapshots and lock files of in-project builds are not sources.
        skipped |= {n for n in names if n.endswith((".duckdb", ".duckdb.wal", ".lock"))}
        return skipped

    return ignore


def prepare_workspace(project_dir: Path, workspace: Path) -> Path:
    """Copy the project (pages, sources, config) into an empty `workspace`."""
    shutil.rmtree(workspace, ignore_errors=True)
    shutil.copytree(project_dir, workspace, ignore=_ignore_generated(project_dir), symlinks=True)
    (workspace / "node_modules").symlink_to(project_dir / "node_modules", target_is_directory=True)
    return workspace
