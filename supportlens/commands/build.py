"""`supportlens build`: run `dbt build` on the working warehouse.

dbt runs as a child process with the paths of `supportlens.toml` in its environment
(`Settings.env_for_subprocesses()`), so the checked-in `profiles.yml` and the sources'
`external_location`s resolve to the same warehouse and landing folder as every other
stage. Extra arguments (e.g. `--select tag:marts`) pass through to dbt unchanged.

The warehouse records the build (`supportlens.build_state`): `building` before dbt
starts, `built` or `failed` when it returns, so `publish` refuses a half-built warehouse.
dbt runs through `supportlens.children.run_child`, which ends it with this process (even
on SIGKILL), so a killed build never leaves dbt holding the warehouse's write lock.
"""

from __future__ import annotations

import argparse
import json
import logging
import shutil
import sys
from pathlib import Path

import duckdb

from supportlens import build_state
from supportlens.children import run_child
from supportlens.config import Settings
from supportlens.warehouse import writer

log = logging.getLogger(__name__)

#: dbt statuses that mean a node failed (skipped nodes are reported apart: they only
#: follow from an upstream failure).
FAILED_STATUSES = frozenset({"error", "fail", "runtime error"})
#: The profiles.yml target that writes the working DuckDB warehouse.
DUCKDB_TARGET = "dev"
#: dbt flags that narrow a build to part of the project.
SELECTION_FLAGS = frozenset({"-s", "--select", "-m", "--models", "--exclude", "--selector"})


class DbtNotFoundError(FileNotFoundError):
    """The dbt executable is not installed next to this Python."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target-path",
        default=None,
        help="dbt artefacts folder (default: <project>/target)",
    )
    # The usual dbt selection flags, forwarded as given; anything else goes after `--`.
    parser.add_argument("-s", "--select", nargs="+", action="extend", default=None,
                        help="dbt node selection (e.g. tag:marts, fct_turns+)")  # fmt: skip
    parser.add_argument("--exclude", nargs="+", action="extend", default=None,
                        help="dbt nodes to leave out")  # fmt: skip
    parser.add_argument("--vars", default=None, help="dbt vars as YAML, e.g. '{split_salt: x}'")
    parser.add_argument("--full-refresh", action="store_true", help="pass --full-refresh")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failure")
    parser.add_argument(
        "dbt_args",
        nargs=argparse.REMAINDER,
        help="after `--`: further arguments passed to `dbt build` unchanged",
    )


def passthrough_arguments(args: argparse.Namespace) -> list[str]:
    """The dbt arguments a parsed `supportlens build` command line stands for."""
    extra: list[str] = []
    if args.select:
        extra += ["--select", *args.select]
    if args.exclude:
        extra += ["--exclude", *args.exclude]
    if args.vars:
        extra += ["--vars", args.vars]
    if args.full_refresh:
        extra.append("--full-refresh")
    if args.fail_fast:
        extra.append("--fail-fast")
    return extra + [a for a in args.dbt_args if a != "--"]


def dbt_executable() -> str:
    """The dbt of this environment (beside the running Python), else the one on PATH."""
    beside = Path(sys.executable).with_name("dbt")
    if beside.exists():
        return str(beside)
    found = shutil.which("dbt")
    if found is None:
        raise DbtNotFoundError("dbt is not installed; run `make install` (dbt-core, dbt-duckdb)")
    return found


def dbt_command(
    settings: Settings, subcommand: str, extra: list[str], target_path: Path
) -> list[str]:
    root = str(settings.project_root)
    return [
        dbt_executable(),
        subcommand,
        "--project-dir",
        root,
        "--profiles-dir",
        root,
        "--target-path",
        str(target_path),
        *extra,
    ]


def failed_nodes(run_results: Path) -> tuple[list[str], int]:
    """Failing node ids (with status) and the number of skipped nodes, from run_results.json."""
    try:
        results = json.loads(run_results.read_text(encoding="utf-8"))["results"]
    except (OSError, ValueError, KeyError):
        return [], 0
    statuses = [(r["unique_id"], str(r.get("status", "")).lower()) for r in results]
    failed = sorted(f"{node} ({status})" for node, status in statuses if status in FAILED_STATUSES)
    skipped = sum(1 for _, status in statuses if status == "skipped")
    return failed, skipped


def run_dbt(settings: Settings, subcommand: str, extra: list[str], target_path: Path) -> int:
    """Run one dbt subcommand; on failure print the failing nodes. Returns dbt's exit code."""
    settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    command = dbt_command(settings, subcommand, extra, target_path)
    log.info("running dbt", extra={"command": " ".join(command)})
    run_results = target_path / "run_results.json"
    run_results.unlink(missing_ok=True)
    returncode = run_child(command, env=settings.env_for_subprocesses(), cwd=settings.project_root)
    if returncode != 0:
        failures, skipped = failed_nodes(run_results)
        print(f"dbt {subcommand} failed (exit {returncode})", file=sys.stderr)
        for node in failures:
            print(f"  failed: {node}", file=sys.stderr)
        if skipped:
            print(f"  skipped because of the failures: {skipped} node(s)", file=sys.stderr)
        if not failures:
            print("  (no node results: see dbt's output above)", file=sys.stderr)
    return returncode


def is_selective(extra: list[str]) -> bool:
    """Whether these dbt arguments build only part of the project."""
    return any(arg.split("=", 1)[0] in SELECTION_FLAGS for arg in extra)


def dbt_target(extra: list[str]) -> str | None:
    """The profile target these dbt arguments name (`--target x`, `-t x`, `--target=x`)."""
    for i, arg in enumerate(extra):
        if arg.startswith("--target="):
            return arg.split("=", 1)[1]
        if arg in {"--target", "-t"} and i + 1 < len(extra):
            return extra[i + 1]
    return None


def build_recorded(settings: Settings, extra: list[str], target_path: Path) -> int:
    """`dbt build`, with the warehouse marked `building` until dbt returns (`build_state`)."""
    settings.paths.warehouse.parent.mkdir(parents=True, exist_ok=True)
    if dbt_target(extra) not in {None, DUCKDB_TARGET}:
        # Another engine (e.g. `-- --target spark`) does not write the working warehouse.
        return run_dbt(settings, "build", extra, target_path)
    description = " ".join(["supportlens build", *extra])
    try:
        with writer(settings) as conn:
            build_state.mark_started(conn, full=not is_selective(extra), command=description)
    except duckdb.IOException as exc:
        print(
            f"supportlens build: {settings.paths.warehouse} is locked by another process "
            f"(another build, training run or publish?): {exc}",
            file=sys.stderr,
        )
        return 1
    code = 1
    try:
        code = run_dbt(settings, "build", extra, target_path)
    finally:
        # Also when a signal stops the build: dbt has exited by now (run_child waits).
        _record_end(settings, succeeded=code == 0, exit_code=code)
    return code


def _record_end(settings: Settings, succeeded: bool, exit_code: int) -> None:
    with writer(settings) as conn:
        state = build_state.mark_finished(conn, succeeded=succeeded)
    log.info("build recorded", extra={"state": state.value, "exit": exit_code})


def run(args: argparse.Namespace, settings: Settings) -> int:
    target_path = Path(args.target_path) if args.target_path else settings.project_root / "target"
    extra = passthrough_arguments(args)
    try:
        return build_recorded(settings, extra, target_path.resolve())
    except DbtNotFoundError as exc:
        print(f"supportlens build: {exc}", file=sys.stderr)
        return 2
