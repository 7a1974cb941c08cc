"""`supportlens runs`: the latest recorded runs, or the stages of one run."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from supportlens.config import Settings
from supportlens.ops import runs


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("run_id", nargs="?", help="show the stages of this run")
    parser.add_argument("-n", "--limit", type=int, default=20, help="runs to list (default 20)")


def _seconds(value: Any) -> str:
    return "" if value is None else f"{value:.1f}"


def run(args: argparse.Namespace, settings: Settings) -> int:
    store = runs.store_for(settings)
    if store is None:
        print("supportlens runs: no run history: set [paths] ops_db in supportlens.toml")
        return 2
    if not store.exists():
        print(f"no runs recorded yet ({store.path})")
        return 0
    if args.run_id:
        stages = runs.list_stages(store, args.run_id)
        if not stages:
            print(f"supportlens runs: no stages recorded for run {args.run_id}", file=sys.stderr)
            return 1
        print(f"{'#':>3}  {'stage':<36} {'status':<11} {'wall s':>8} {'CPU s':>8} {'RSS MiB':>8}")
        for s in stages:
            print(
                f"{s['stage_index']:>3}  {s['stage'][:36]:<36} {s['status']:<11} "
                f"{_seconds(s['seconds']):>8} {_seconds(s['cpu_seconds']):>8} "
                f"{_seconds(s['peak_rss_mib']):>8}" + (f"  {s['error']}" if s["error"] else "")
            )
        return 0
    rows = runs.list_runs(store, limit=args.limit)
    print(
        f"{'run id':<24} {'command':<10} {'status':<11} {'started (UTC)':<19} "
        f"{'wall s':>8} {'CPU s':>8} {'RSS MiB':>8}  error"
    )
    for r in rows:
        started = r["started_at"].astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        print(
            f"{r['run_id']:<24} {r['command']:<10} {r['status']:<11} {started:<19} "
            f"{_seconds(r['seconds']):>8} {_seconds(r['cpu_seconds']):>8} "
            f"{_seconds(r['peak_rss_mib']):>8}  {r['error'] or ''}"
        )
    return 0
