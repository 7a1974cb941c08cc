"""`supportlens alerts [--deliver]`: evaluate the alert rules, optionally notify.

By default the rules are re-evaluated first (`dbt build --select tag:ops alert_rules` on
the working warehouse: the run-history copies and mart_alerts) and read from the
warehouse; when another writer holds the warehouse, or with `--no-refresh`, the
published snapshot's mart_alerts is read instead. `--deliver` sends new, repeated and
resolved alerts to the channels of supportlens.toml [alerts] (docs/operations.md).
A channel that is down is recorded and reported, never a failure of this command.
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from supportlens.config import Settings
from supportlens.ops import runs
from supportlens.ops.alerts import (
    REFRESH_SELECTION,
    AlertsUnavailableError,
    Check,
    notify,
    read_checks,
)
from supportlens.ops.delivery import FAILED, SENT

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--deliver", action="store_true", help="notify the configured channels of changes"
    )
    parser.add_argument(
        "--no-refresh",
        action="store_true",
        help="read the published snapshot's mart_alerts instead of re-evaluating",
    )
    parser.add_argument("--all", action="store_true", help="list every check, not only breaches")


def _refresh(settings: Settings) -> bool:
    """Re-run the ops models and mart_alerts on the working warehouse."""
    from supportlens.commands.build import DbtNotFoundError, build_recorded

    store = runs.store_for(settings)
    if store is not None:
        # Runs whose process died show up as killed before the failed-run rule reads them.
        runs.mark_killed(store)
    target = (settings.project_root / "target").resolve()
    try:
        # As `supportlens build` does: a killed refresh leaves the warehouse marked unbuilt.
        code = build_recorded(settings, REFRESH_SELECTION, target)
    except DbtNotFoundError as exc:
        log.warning("alert rules not re-evaluated", extra={"reason": str(exc)})
        return False
    if code != 0:
        log.warning("alert rules not re-evaluated: dbt failed", extra={"exit": code})
    return code == 0


def _print(checks: list[Check], show_all: bool) -> None:
    shown = [c for c in checks if c.is_breached or show_all]
    breached = sum(c.is_breached for c in checks)
    print(f"{breached} of {len(checks)} alert checks breached")
    for c in shown:
        value = "" if c.value is None else f"{c.value:.4g}"
        threshold = "" if c.threshold is None else f"{c.threshold:.4g}"
        mark = "BREACHED" if c.is_breached else "ok"
        print(
            f"  {mark:<8} {c.severity:<7} {c.rule:<24} {c.scope[:32]:<32} "
            f"value {value:>10}  threshold {threshold:>8}"
        )


def _fail(message: str) -> None:
    print(message, file=sys.stderr)
    runs.note_error(message)


def run(args: argparse.Namespace, settings: Settings) -> int:
    source: Path = settings.paths.published
    if not args.no_refresh and settings.paths.warehouse.exists() and _refresh(settings):
        source = settings.paths.warehouse
    try:
        checks = read_checks(source)
    except AlertsUnavailableError as exc:
        _fail(f"supportlens alerts: {exc}")
        return 1
    runs.note_rows(rows_in=len(checks))
    _print(checks, args.all)
    if not args.deliver:
        return 0
    store = runs.store_for(settings)
    if store is None:
        _fail("supportlens alerts: --deliver needs [paths] ops_db (alert state)")
        return 2
    try:
        outcome = notify(settings, store, checks, source, runs.current_run_id())
    except ValueError as exc:
        _fail(f"supportlens alerts: {exc}")
        return 2
    sent = sum(a.status == SENT for a in outcome.attempts)
    failed = sum(a.status == FAILED for a in outcome.attempts)
    runs.note_rows(rows_out=sent)
    print(
        f"{len(outcome.notifications)} notification(s): {sent} sent, {failed} failed attempt(s)"
        + ("" if not failed else " (see ops_alert_events; the run goes on)")
    )
    return 0
